// Recognises delivery failures: RFC 3464 reports first, then the plain-text bounces of Exim,
// qmail, Sendmail, Exchange, Gmail, Yahoo and localized servers, and pulls out who bounced, the
// status code, the reporting MTA, the diagnostic and the Message-ID of the touch that bounced.

import { firstHeader, firstMatch, type LabelledPattern, type ReplyRule, type RuleContext } from "./rule.ts";
import type { BounceDetails, ParsedInbound } from "./types.ts";
import { unicodeWords } from "./unicodeWords.ts";

const EMAIL = String.raw`[\w.!#$%&'*+/=?^\`{|}~-]+@[\w-]+(?:\.[\w-]+)+`;

const MACHINE_LOCAL_PART =
  /^(?:mailer-daemon|mailer_daemon|mailerdaemon|mail-daemon|maildaemon|postmaster|microsoftexchange[0-9a-f]*|mdaemon|bounce|bounces|nobody-bounce)$/i;
const MACHINE_NAME =
  /\b(?:mail delivery (?:subsystem|system|service)|mailer[- ]daemon|postmaster|mail administrator|microsoft outlook|mail system|e-?mail delivery system|systemadministrator|administrateur système)\b/i;

const BOUNCE_SUBJECT: readonly LabelledPattern[] = [
  { pattern: /^undeliverable\b/i, label: "Undeliverable" },
  { pattern: /^undelivered mail returned to sender/i, label: "Undelivered Mail Returned to Sender" },
  { pattern: /^undeliver(?:ed|able) (?:mail|message)/i, label: "Undelivered Mail" },
  { pattern: /^delivery status notification \((?:failure|delay)\)/i, label: "Delivery Status Notification" },
  { pattern: /^mail delivery (?:failed|failure|system)/i, label: "Mail delivery failed" },
  { pattern: /^returned mail\b/i, label: "Returned mail" },
  { pattern: /^failure notice/i, label: "failure notice" },
  {
    pattern: /^(?:delivery (?:failure|failed|notification: delivery has failed)|non[- ]?deliverable)/i,
    label: "Delivery failure",
  },
  {
    pattern: /^(?:message not delivered|mail system error|nondeliverable mail)/i,
    label: "Message not delivered",
  },
  { pattern: /^delayed mail \(still being retried\)/i, label: "Delayed Mail" },
  { pattern: /^delivery delayed\s*:/i, label: "Delivery delayed" },
  { pattern: /^warning: (?:message \S+ delayed|could not send message)/i, label: "Warning: message delayed" },
  { pattern: /^(?:unzustellbar|nicht zustellbar|zustellung fehlgeschlagen)/i, label: "Unzustellbar" },
  {
    pattern: /^(?:non remis|non distribuable|échec de (?:la )?(?:remise|distribution))/i,
    label: "Non remis",
  },
  { pattern: /^(?:no se puede entregar|no entregado|no se pudo entregar)/i, label: "No se puede entregar" },
  { pattern: /^(?:onbestelbaar|niet bezorgd)/i, label: "Onbestelbaar" },
  { pattern: /^(?:não é possível entregar|não entregue|nao entregue)/i, label: "Não é possível entregar" },
  { pattern: /^(?:olevererbart|kan inte levereras)/i, label: "Olevererbart" },
  { pattern: /^(?:non recapitabile|impossibile recapitare)/i, label: "Non recapitabile" },
].map(({ pattern, label }) => ({ pattern: unicodeWords(pattern), label }));

interface BodyPattern extends LabelledPattern {
  /** Wording no person writes in a reply, so it decides even without a daemon sender. */
  selfSufficient: boolean;
}

const BOUNCE_BODY: readonly BodyPattern[] = [
  body(
    /this message was created automatically by mail delivery software/i,
    "This message was created automatically by mail delivery software",
    true,
  ),
  body(
    /a message that you sent could not be delivered to one or more of its\s+recipients/i,
    "A message that you sent could not be delivered",
    true,
  ),
  body(
    /a message that you sent has not yet been delivered to one or more of its\s+recipients/i,
    "A message that you sent has not yet been delivered",
    true,
  ),
  body(/this is the qmail-send program/i, "This is the qmail-send program", true),
  body(
    /i'm afraid i wasn't able to deliver your message/i,
    "I'm afraid I wasn't able to deliver your message",
    true,
  ),
  body(
    /the following addresses had permanent fatal errors/i,
    "The following addresses had permanent fatal errors",
    true,
  ),
  body(/this is the mail system at host/i, "This is the mail system at host", false),
  body(
    /i'm sorry to have to inform you that your message could not\s+be delivered/i,
    "I'm sorry to have to inform you that your message could not be delivered",
    true,
  ),
  body(/delivery has failed to these recipients/i, "Delivery has failed to these recipients or groups", true),
  body(
    /delivery is delayed to these recipients or groups/i,
    "Delivery is delayed to these recipients or groups",
    true,
  ),
  body(/your message to \S+ couldn't be delivered/i, "Your message to … couldn't be delivered", false),
  body(
    /your message did not reach some or all of the intended recipients/i,
    "Your message did not reach some or all of the intended recipients",
    true,
  ),
  body(/your message wasn't delivered to \S+ because/i, "Your message wasn't delivered to … because", false),
  body(
    /\*\* ?(?:address not found|message not delivered|delivery incomplete|message blocked|message not delivered yet) ?\*\*/i,
    "Gmail delivery notice",
    true,
  ),
  body(
    /sorry, we were unable to deliver your message to the following address/i,
    "Sorry, we were unable to deliver your message",
    true,
  ),
  body(/\d{3}: delivery error: dd /i, "delivery error: dd", true),
  body(
    /an error occurred while trying to deliver the mail to the following recipients/i,
    "An error occurred while trying to deliver the mail",
    true,
  ),
  body(
    /(?:could not|couldn't|cannot|can't) be delivered to (?:one or more|the following) (?:of its )?recipients?/i,
    "could not be delivered to the following recipients",
    false,
  ),
  body(
    /delivery to the following recipients? (?:failed|has been delayed)/i,
    "Delivery to the following recipient failed",
    true,
  ),
  body(
    /the original message was received at .*\n[\s\S]{0,400}-{3,} ?the following address/i,
    "Sendmail transcript",
    true,
  ),
  body(/THIS IS A WARNING (?:MESSAGE )?ONLY/, "THIS IS A WARNING ONLY", false),
  body(
    /(?:konnte|kann|könnte) (?:[^.\n]{0,80} )?nicht (?:zugestellt|übermittelt) werden/i,
    "konnte nicht zugestellt werden",
    false,
  ),
  body(
    /übermittlung an (?:folgende|diese) empfänger (?:oder gruppen )?ist fehlgeschlagen/i,
    "Die Übermittlung an folgende Empfänger ist fehlgeschlagen",
    true,
  ),
  body(
    /diese nachricht wurde automatisch (?:vom|von einem) mail-?(?:system|server)/i,
    "Diese Nachricht wurde automatisch vom Mailsystem erstellt",
    true,
  ),
  body(/(?:n'a|n’a) pas pu être (?:remis|distribué)/i, "n'a pas pu être remis", false),
  body(/la remise (?:a échoué|de ce message a échoué)/i, "La remise a échoué", false),
  body(
    /(?:échec de la remise|remise impossible) (?:à|aux) (?:ces|des) destinataires/i,
    "Échec de la remise",
    true,
  ),
  body(/no se (?:pudo|puede) entregar/i, "no se pudo entregar", false),
  body(/(?:kon|kan) niet (?:worden )?(?:bezorgd|afgeleverd)/i, "kon niet worden bezorgd", false),
  body(/não (?:foi|é) possível entregar/i, "não foi possível entregar", false),
  body(/(?:kunde|kan) inte levereras/i, "kunde inte levereras", false),
  body(/RESOLVER\.ADR\.\w+/, "RESOLVER.ADR", true),
  body(
    /recipient address rejected|user unknown in (?:virtual|local) (?:mailbox|recipient) table/i,
    "Recipient address rejected",
    false,
  ),
];

function body(pattern: RegExp, label: string, selfSufficient: boolean): BodyPattern {
  return { pattern: unicodeWords(pattern), label, selfSufficient };
}

// Words of a delay warning: the server still tries, nothing is lost yet.
const DELAY_TEXT = unicodeWords(
  /THIS IS A WARNING|has not yet been delivered|still being retried|will (?:continue to )?(?:be )?retr(?:y|ied)|delivery incomplete|message not delivered yet|could not be delivered for [\d.]+ hours|message (?:\S+ )?delayed|delivery (?:has been |is )?delayed|has been delayed|temporar(?:y|ily) (?:failure|problem|error|unavailable)|no action is required on your part|verzögert|retardé|retrasad/i,
);

const MAILBOX_FULL = unicodeWords(
  /mailbox (?:is )?full|over ?quota|quota (?:exceeded|exceed)|exceeded (?:the |their |its )?(?:storage|quota)|insufficient (?:system )?storage|mailbox size limit|QuotaExceeded|mailbox (?:has )?exceeded|postfach (?:ist )?voll|speicherplatz|boîte (?:aux lettres |de réception )?(?:est )?pleine|buz[oó]n (?:est[aá] )?lleno|mailbox (?:is )?vol|caixa (?:postal )?cheia|brevlådan är full/i,
);

const UNKNOWN_USER = unicodeWords(
  /user unknown|unknown user|no such (?:user|mailbox|recipient|address|account)|(?:recipient|address|mailbox|user|account)(?: address)? (?:does not exist|doesn't exist|not found|unknown|is unknown|unavailable|is unavailable)|RecipientNotFound|invalid (?:recipient|mailbox|address)|(?:does not|doesn't) have an? \S+ account|address couldn't be found|no mailbox here by that name|mailbox not found|not listed in (?:the )?(?:domino )?directory|account that you tried to reach does not exist|unbekannt|existiert nicht|n'existe pas|introuvable|destinataire inconnu|no existe|desconocido|bestaat niet|onbekend|não existe|finns inte/i,
);

const UNKNOWN_DOMAIN = unicodeWords(
  /host or domain name not found|domain (?:name )?(?:not found|couldn't be found|does not exist)|the domain \S+ couldn't be found|NXDOMAIN|unrouteable (?:mail )?domain|no mx (?:record|host)|domain (?:existiert nicht|introuvable|inexistente)/i,
);

// Where a plain-text bounce starts quoting the message that failed.
const ORIGINAL_COPY =
  /^.*(?:copy of the message|below this line is a copy|original message (?:headers|follows)|undelivered message headers|message headers follow|-{3,} ?original message ?-{3,}|kopie der nachricht|copie du message|copia del mensaje).*$/im;

export const deliveryStatusReport: ReplyRule = (msg) => {
  const groups = msg.deliveryStatus.flatMap((report) =>
    report.recipients.map((fields) => ({ report, fields })),
  );
  if (groups.length === 0) return null;
  const reportLabel =
    msg.contentType === "multipart/report" && msg.reportType === "delivery-status"
      ? "multipart/report; report-type=delivery-status"
      : "message/delivery-status part";

  const judged = groups.map(({ report, fields }) => {
    const action = (fields.action ?? "").trim().toLowerCase();
    const diagnostic = stripTypePrefix(fields["diagnostic-code"]);
    const status = normaliseStatus(fields.status) ?? statusFromText(diagnostic ?? "")?.code ?? null;
    return {
      report,
      fields,
      action,
      diagnostic,
      status,
      severity: severityOf(action, status, diagnostic ?? ""),
    };
  });
  const worst = [...judged].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])[0]!;

  if (worst.severity === "none") {
    // Delivered, relayed or expanded: machine mail about a success, never a person writing back.
    return {
      class: "auto_reply",
      returnDate: null,
      rule: `${reportLabel}; Action: ${worst.action || "delivered"} (not a bounce)`,
      confidence: 0.95,
    };
  }
  const details: BounceDetails = {
    recipient:
      addressIn(stripTypePrefix(worst.fields["final-recipient"])) ??
      addressIn(stripTypePrefix(worst.fields["original-recipient"])) ??
      addressIn(stripTypePrefix(worst.fields["x-actual-recipient"])),
    status: worst.status,
    mta: hostIn(
      stripTypePrefix(worst.report.perMessage["reporting-mta"]) ??
        stripTypePrefix(worst.fields["remote-mta"]),
    ),
    diagnostic: worst.diagnostic ?? statusFromText(msg.text)?.line ?? null,
    originalMessageId: originalMessageId(msg, worst.report.perMessage),
  };
  return {
    class: worst.severity === "hard" ? "bounce_hard" : "bounce_soft",
    bounce: details,
    rule: `${reportLabel}; Action: ${worst.action || "failed"}${worst.status ? `, Status: ${worst.status}` : ""}${
      worst.severity === "soft" && isMailboxFull(worst.status, worst.diagnostic ?? "")
        ? " (mailbox full)"
        : ""
    }`,
    confidence: 0.99,
  };
};

export const plainTextBounce: ReplyRule = (msg, ctx) => {
  const sender = machineSender(msg);
  const nullSender = hasNullReturnPath(msg);
  const subject = firstMatch(BOUNCE_SUBJECT, msg.subject.trim());
  const failedHeader = firstHeader(msg, "x-failed-recipients");
  const exchangeNdr = firstHeader(msg, "x-ms-exchange-message-is-ndr") !== null;
  const bodyPattern = bouncePatternIn(ctx, sender !== null || nullSender || subject !== null);

  let signal: string | null = null;
  if (failedHeader) signal = "header X-Failed-Recipients";
  else if (exchangeNdr) signal = "header X-MS-Exchange-Message-Is-Ndr";
  else if (bodyPattern) signal = `bounce text: "${bodyPattern.label}"`;
  else if (subject && (sender || nullSender)) signal = `subject pattern: "${subject.label}"`;
  else if (msg.reportType === "delivery-status") signal = "multipart/report; report-type=delivery-status";
  if (!signal) return null;

  const origin = sender ? ` from ${sender}` : nullSender ? " with empty Return-Path" : "";
  const soft = DELAY_TEXT.test(regionBeforeCopy(ctx.text)) || /delay|delayed/i.test(msg.subject);
  const details = bounceFromText(msg, ctx, failedHeader, soft ? "4" : "5");
  const hard = !soft && (details.status === null || details.status.startsWith("5"));
  const full = isMailboxFull(details.status, regionBeforeCopy(ctx.text));
  const bounceClass = hard && !full ? "bounce_hard" : "bounce_soft";
  return {
    class: bounceClass,
    bounce: details,
    rule: `${signal}${origin}${details.status ? ` (status ${details.status})` : ""}${full ? " (mailbox full)" : ""}`,
    confidence: failedHeader || exchangeNdr ? 0.95 : sender || nullSender ? 0.93 : 0.85,
  };
};

function bouncePatternIn(ctx: RuleContext, machineSignals: boolean): BodyPattern | null {
  const head = regionBeforeCopy(ctx.text);
  for (const candidate of BOUNCE_BODY) {
    if (!candidate.pattern.test(head)) continue;
    // A person forwarding a bounce quotes it; only the wording in their own part may decide.
    if (machineSignals || (candidate.selfSufficient && candidate.pattern.test(ctx.reply))) return candidate;
  }
  return null;
}

/** The sender when it is a mail system (MAILER-DAEMON, postmaster, "Mail Delivery Subsystem"). */
export function machineSender(msg: ParsedInbound): string | null {
  if (!msg.from) return null;
  const local = msg.from.address.split("@")[0] ?? "";
  if (MACHINE_LOCAL_PART.test(local)) return msg.from.address;
  if (MACHINE_NAME.test(msg.from.name)) return msg.from.name;
  return null;
}

/** RFC 5321 sends bounces (and RFC 3834 responders) from the null reverse-path `<>`. */
export function hasNullReturnPath(msg: ParsedInbound): boolean {
  const returnPath = firstHeader(msg, "return-path");
  return returnPath !== null && /^\s*<?\s*>?\s*$/.test(returnPath);
}

type Severity = "hard" | "soft" | "delay" | "none";
const SEVERITY_RANK: Record<Severity, number> = { hard: 0, soft: 1, delay: 2, none: 3 };

function severityOf(action: string, status: string | null, diagnostic: string): Severity {
  if (action === "delayed") return "delay";
  if (["delivered", "relayed", "expanded"].includes(action)) return "none";
  if (status?.startsWith("2")) return "none";
  if (status?.startsWith("4")) return "soft";
  if (isMailboxFull(status, diagnostic)) return "soft";
  return "hard";
}

function isMailboxFull(status: string | null, text: string): boolean {
  if (status && /^[45]\.2\.2$/.test(status)) return true;
  // A hard code written next to quota words (5.1.1 "user unknown or over quota") stays hard.
  if (status && /^5\.(?:1\.\d+|4\.4)$/.test(status)) return false;
  return MAILBOX_FULL.test(text);
}

function bounceFromText(
  msg: ParsedInbound,
  ctx: RuleContext,
  failedHeader: string | null,
  defaultClass: "4" | "5",
): BounceDetails {
  const head = regionBeforeCopy(ctx.text);
  const found = statusFromText(head);
  return {
    recipient: addressIn(failedHeader) ?? recipientFromText(head, msg) ?? singleOriginalRecipient(msg),
    status: found?.code ?? inferredStatus(head, defaultClass),
    mta: mtaFromText(head) ?? (machineSender(msg) ? domainOf(msg.from?.address) : null),
    diagnostic: found?.line ?? diagnosticLine(head),
    originalMessageId: originalMessageId(msg, {}),
  };
}

function regionBeforeCopy(text: string): string {
  const copy = ORIGINAL_COPY.exec(text);
  return copy ? text.slice(0, copy.index) : text;
}

const STATUS_PATTERNS: readonly RegExp[] = [
  /\b[245]\d\d[ -]#?([245]\.\d{1,3}\.\d{1,3})(?![\d.]|\.\d)/,
  /#([245]\.\d{1,3}\.\d{1,3})(?![\d.]|\.\d)/,
  /\bstatus:\s*([245]\.\d{1,3}\.\d{1,3})\b/i,
  /(?<![\d.])([245]\.[0-7]\.\d{1,3})(?![\d.]|\.\d)/,
];

/** The enhanced status code written in a bounce text, and the line it is on. */
export function statusFromText(text: string): { code: string; line: string } | null {
  for (const pattern of STATUS_PATTERNS) {
    const match = pattern.exec(text);
    if (match?.[1] && match.index !== undefined) {
      return { code: match[1], line: lineAround(text, match.index) };
    }
  }
  return null;
}

// Without an enhanced code, read the SMTP reply and the words: Yahoo's "554: delivery error: dd
// This user doesn't have a yahoo.com account" is an unknown user as surely as 5.1.1.
function inferredStatus(text: string, defaultClass: "4" | "5"): string | null {
  const basic = /(?:^|[\s(:'"])([45])\d\d(?:[ :-]|$)/m.exec(text);
  const statusClass = basic?.[1] ?? defaultClass;
  if (UNKNOWN_DOMAIN.test(text)) return `${statusClass}.1.2`;
  if (UNKNOWN_USER.test(text)) return `${statusClass}.1.1`;
  if (MAILBOX_FULL.test(text)) return `${statusClass}.2.2`;
  return basic ? `${statusClass}.0.0` : null;
}

function diagnosticLine(text: string): string | null {
  const smtp = /(?:^|\n)[^\n]*\b[45]\d\d[ :-][^\n]*/.exec(text);
  if (smtp) return smtp[0].trim();
  const reason = UNKNOWN_USER.exec(text) ?? UNKNOWN_DOMAIN.exec(text) ?? MAILBOX_FULL.exec(text);
  return reason?.index !== undefined ? lineAround(text, reason.index) : null;
}

function lineAround(text: string, index: number): string {
  const start = text.lastIndexOf("\n", index) + 1;
  const end = text.indexOf("\n", index);
  return text.slice(start, end === -1 ? undefined : end).trim();
}

const RECIPIENT_PATTERNS: readonly RegExp[] = [
  new RegExp(
    String.raw`your message (?:wasn't|was not|couldn't be|could not be) delivered to\s+<?(${EMAIL})`,
    "i",
  ),
  new RegExp(String.raw`your message to\s+<?(${EMAIL})>?\s+couldn't be delivered`, "i"),
  new RegExp(String.raw`(?:nachricht|e-mail) an\s+<?(${EMAIL})>?\s+(?:konnte|kann)`, "i"),
  new RegExp(String.raw`(?:message|courrier) (?:à|a)\s+<?(${EMAIL})>?\s+n['’]a pas`, "i"),
  new RegExp(String.raw`mensaje (?:a|para)\s+<?(${EMAIL})>?\s+no`, "i"),
  new RegExp(String.raw`^[ \t]*<(${EMAIL})>[ \t]*:`, "im"),
  new RegExp(String.raw`(?:final|original)-recipient:\s*(?:rfc822;\s*)?<?(${EMAIL})`, "i"),
  new RegExp(
    String.raw`(?:following (?:address(?:\(es\)|es)?|recipients?)(?: or groups)?|these recipients(?: or (?:groups|distribution lists))?|folgende empfänger(?: oder gruppen)?|ces destinataires ou groupes|estos destinatarios o grupos|deze geadresseerden of groepen|permanent fatal errors -+)[^\n]*\n\s*<?(${EMAIL})`,
    "i",
  ),
  new RegExp(String.raw`RCPT TO:\s*<(${EMAIL})>`, "i"),
  new RegExp(String.raw`^[ \t]*(${EMAIL})[ \t]*$`, "im"),
];

function recipientFromText(text: string, msg: ParsedInbound): string | null {
  const ours = new Set([msg.from?.address, ...msg.to.map((a) => a.address)].filter(Boolean));
  for (const pattern of RECIPIENT_PATTERNS) {
    const match = pattern.exec(text);
    const address = match?.[1]?.toLowerCase();
    if (address && !ours.has(address) && !isMachineAddress(address)) return address;
  }
  return null;
}

function singleOriginalRecipient(msg: ParsedInbound): string | null {
  const to = msg.originalHeaders?.to ?? [];
  if (to.length !== 1) return null;
  const addresses = [...(to[0] ?? "").matchAll(new RegExp(EMAIL, "g"))];
  return addresses.length === 1 ? (addresses[0]?.[0].toLowerCase() ?? null) : null;
}

function mtaFromText(text: string): string | null {
  const match =
    /this is the mail system at host\s+([\w.-]+)/i.exec(text) ??
    /qmail-send program at\s+([\w.-]+)/i.exec(text) ??
    /generating server:\s*([\w.-]+)/i.exec(text) ??
    /(?:generierender server|serveur de génération|servidor de generación)\s*:\s*([\w.-]+)/i.exec(text) ??
    /reporting-mta:\s*(?:dns;\s*)?([\w.-]+)/i.exec(text);
  return match?.[1]?.replace(/\.$/, "").toLowerCase() ?? null;
}

function originalMessageId(msg: ParsedInbound, perMessage: Readonly<Record<string, string>>): string | null {
  const fromAttachment = msg.originalHeaders?.["message-id"]?.[0];
  if (fromAttachment) return messageIdIn(fromAttachment);
  const gmail = perMessage["x-original-message-id"];
  if (gmail) return messageIdIn(gmail);
  const copy = ORIGINAL_COPY.exec(msg.text);
  const inline = /^[ \t]*message-id:[ \t]*(<[^>\s]+>)/im.exec(copy ? msg.text.slice(copy.index) : msg.text);
  if (inline?.[1]) return inline[1];
  return msg.inReplyTo ?? null;
}

function messageIdIn(value: string): string | null {
  const bracketed = /<[^>\s]+>/.exec(value);
  if (bracketed) return bracketed[0];
  const bare = value.trim();
  return bare ? `<${bare}>` : null;
}

function normaliseStatus(value: string | undefined): string | null {
  const match = /([245]\.\d{1,3}\.\d{1,3})/.exec(value ?? "");
  return match?.[1] ?? null;
}

/** `rfc822; a@b` → `a@b`, `dns; mx.example.com` → `mx.example.com`. */
function stripTypePrefix(value: string | undefined): string | null {
  if (!value) return null;
  const stripped = value.replace(/^\s*[\w-]+\s*;\s*/, "").trim();
  return stripped || null;
}

// "mx.example.com." or "mx.example.com (192.0.2.1, the server for …)" → "mx.example.com"
function hostIn(value: string | null): string | null {
  const host = value?.split(/[\s(]/)[0]?.replace(/\.$/, "").toLowerCase();
  return host || null;
}

function addressIn(value: string | null | undefined): string | null {
  if (!value) return null;
  const match = new RegExp(EMAIL).exec(value);
  return match ? match[0].toLowerCase() : null;
}

function isMachineAddress(address: string): boolean {
  return MACHINE_LOCAL_PART.test(address.split("@")[0] ?? "");
}

function domainOf(address: string | undefined): string | null {
  const domain = address?.split("@")[1];
  return domain ? domain.toLowerCase() : null;
}
