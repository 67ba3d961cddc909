// Builds the RFC 5322 message for a touch with nodemailer's MailComposer: multipart text +
// HTML, our Message-ID, thread headers, and the RFC 8058 one-click unsubscribe headers.

import MailComposer from "nodemailer/lib/mail-composer/index.js";

export interface ComposedEmailInput {
  from: { name: string; address: string };
  to: string;
  replyTo: string | null;
  subject: string;
  text: string;
  html: string;
  /** Bare Message-ID (no angle brackets), on the workspace's domain. */
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  unsubscribeUrl: string;
  unsubscribeMailto: string | null;
  dateUtcMs: number;
  /** Extra headers, e.g. X-Nudge-Key for tracing a message to its outbox row. */
  headers?: Record<string, string>;
}

/** CR and LF (and other controls) in a header value would start a new header. */
export function headerSafe(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return value.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
}

export async function composeEmail(input: ComposedEmailInput): Promise<Buffer> {
  const listUnsubscribe = [`<${input.unsubscribeUrl}>`];
  if (input.unsubscribeMailto) listUnsubscribe.push(`<${input.unsubscribeMailto}>`);
  const composer = new MailComposer({
    from: { name: headerSafe(input.from.name), address: headerSafe(input.from.address) },
    to: headerSafe(input.to),
    ...(input.replyTo ? { replyTo: headerSafe(input.replyTo) } : {}),
    subject: headerSafe(input.subject),
    text: input.text,
    html: input.html,
    messageId: `<${input.messageId}>`,
    date: new Date(input.dateUtcMs),
    ...(input.inReplyTo ? { inReplyTo: `<${input.inReplyTo}>` } : {}),
    ...(input.references.length > 0 ? { references: input.references.map((r) => `<${r}>`).join(" ") } : {}),
    headers: {
      "List-Unsubscribe": listUnsubscribe.join(", "),
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      ...Object.fromEntries(Object.entries(input.headers ?? {}).map(([k, v]) => [k, headerSafe(v)])),
    },
  });
  return composer.compile().build();
}

/** A follow-up in the same thread carries exactly one "Re: " prefix. */
export function replySubject(previous: string): string {
  const bare = previous.replace(/^(\s*(re|aw|sv|antw|réf|rif)\s*:\s*)+/i, "");
  return `Re: ${bare}`;
}
