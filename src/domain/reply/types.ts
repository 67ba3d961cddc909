// The vocabulary of inbound classification: the parsed message the rules read, the verdict they
// return, and the Classifier seam that lets a language-model classifier replace the rules later.

export interface MailAddress {
  /** Lower-cased address; empty when the header held only a display name. */
  address: string;
  name: string;
}

/** Header name (lower-cased) → every value in message order, unfolded and decoded. */
export type HeaderMap = Readonly<Record<string, readonly string[]>>;

/**
 * One `message/delivery-status` body (RFC 3464). Field names are lower-cased, values unfolded;
 * the `rfc822;` / `dns;` / `smtp;` type prefixes are kept so nothing is lost.
 */
export interface DeliveryStatusReport {
  /** Per-message fields: `reporting-mta`, `arrival-date`, Gmail's `x-original-message-id`… */
  perMessage: Readonly<Record<string, string>>;
  /** One group per recipient: `final-recipient`, `action`, `status`, `diagnostic-code`… */
  recipients: readonly Readonly<Record<string, string>>[];
}

/** A message as the rules see it: plain data, JSON-serialisable, no parser objects. */
export interface ParsedInbound {
  from: MailAddress | null;
  to: readonly MailAddress[];
  cc: readonly MailAddress[];
  subject: string;
  /** With angle brackets, as written: `<id@host>`. */
  messageId: string | null;
  inReplyTo: string | null;
  references: readonly string[];
  headers: HeaderMap;
  /** The readable text: the text/plain parts, or text derived from the HTML when there is none. */
  text: string;
  html: string | null;
  /** The Date header as an ISO-8601 UTC timestamp, null when missing or unreadable. */
  date: string | null;
  /** MIME type of the top-level body, lower-cased (`multipart/report`, `text/plain`…). */
  contentType: string;
  /** The `report-type` parameter of a `multipart/report`, lower-cased. */
  reportType: string | null;
  deliveryStatus: readonly DeliveryStatusReport[];
  /**
   * Headers of the message a report is about (`message/rfc822`, `text/rfc822-headers` or their
   * RFC 6532 `global` twins): the original Message-ID matches a bounce to the touch we sent.
   */
  originalHeaders: HeaderMap | null;
}

export type InboundClass =
  | "bounce_hard"
  | "bounce_soft"
  | "auto_reply"
  | "unsubscribe_request"
  | "human_reply";

export type ReplyIntent =
  | "interested"
  | "meeting_request"
  | "question"
  | "not_now"
  | "not_interested"
  | "referral"
  | "other";

export interface BounceDetails {
  recipient: string | null;
  /** Enhanced status code (RFC 3463) such as `5.1.1`; inferred from the text when none is written. */
  status: string | null;
  /** The MTA that reported the failure (Reporting-MTA, "the mail system at host …"). */
  mta: string | null;
  diagnostic: string | null;
  originalMessageId: string | null;
}

export interface Referral {
  name?: string;
  email?: string;
}

export interface Classification {
  class: InboundClass;
  intent?: ReplyIntent;
  bounce?: BounceDetails;
  /** Out-of-office return date (ISO `YYYY-MM-DD`); null when the message names none. */
  returnDate?: string | null;
  referral?: Referral;
  /** What decided, for a person reading the timeline: `header Auto-Submitted: auto-replied`. */
  rule: string;
  /** 0..1; how sure the deciding rule is, not a calibrated probability. */
  confidence: number;
}

export interface ClassifyOptions {
  /** When the message arrived; year-less return dates resolve to their next occurrence after it. */
  receivedAtUtcMs: number;
  /** IANA zone in which the receive instant is turned into a calendar date. Default UTC. */
  defaultZone?: string;
}

export interface Classifier {
  classify(msg: ParsedInbound, opts: ClassifyOptions): Promise<Classification> | Classification;
}
