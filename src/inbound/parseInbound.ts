// Turns raw RFC 5322 bytes into the plain ParsedInbound the reply rules read: headers, readable
// text, and for delivery reports the RFC 3464 fields and the headers of the message that bounced.
// Never throws on bad input: garbage is an error value, damaged mail is parsed as far as it goes.

import { convert as htmlToText } from "html-to-text";
import {
  type AddressObject,
  type Attachment,
  type HeaderValue,
  type ParsedMail,
  simpleParser,
} from "mailparser";
import type { DeliveryStatusReport, HeaderMap, MailAddress, ParsedInbound } from "../domain/reply/types.ts";

export type InboundParseErrorCode = "empty_message" | "not_a_message" | "too_large";

export interface InboundParseError {
  code: InboundParseErrorCode;
  message: string;
}

export type ParseInboundResult =
  | { ok: true; message: ParsedInbound; warnings: string[] }
  | { ok: false; error: InboundParseError };

export interface ParseInboundOptions {
  /** Larger input is refused before parsing. Default 40 MiB, above any provider's size limit. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 40 * 1024 * 1024;
// Converting megabytes of HTML to text costs seconds and reads no better than its start.
const MAX_HTML_TO_CONVERT = 1_000_000;
// RFC 5322 field name: printable ASCII except colon, then the colon.
const HEADER_FIELD = /^[!-9;-~]+[ \t]*:/;
const REPORT_PARTS = new Set(["message/delivery-status", "message/global-delivery-status"]);
const ORIGINAL_PARTS = new Set([
  "message/rfc822",
  "message/global",
  "text/rfc822-headers",
  "message/global-headers",
]);

export async function parseInbound(
  raw: Uint8Array | string,
  options: ParseInboundOptions = {},
): Promise<ParseInboundResult> {
  const bytes =
    typeof raw === "string"
      ? Buffer.from(raw, "utf8")
      : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.byteLength > maxBytes) {
    return failure("too_large", `The message is ${bytes.byteLength} bytes; the limit is ${maxBytes}.`);
  }
  const source = withoutEnvelopeLine(bytes);
  if (source.toString("latin1").trim() === "") return failure("empty_message", "The message is empty.");
  const firstLine = /^[^\r\n]*/.exec(source.toString("latin1"))?.[0] ?? "";
  if (!HEADER_FIELD.test(firstLine)) {
    return failure(
      "not_a_message",
      "The input does not start with an RFC 5322 header field such as 'From:'.",
    );
  }

  const warnings: string[] = [];
  let mail: ParsedMail;
  try {
    mail = await simpleParser(source, {
      keepDeliveryStatus: true,
      ignoreEmbedded: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      keepCidLinks: true,
      checksumAlgo: false,
      maxHtmlLengthToParse: MAX_HTML_TO_CONVERT,
    });
  } catch (error) {
    // Damaged MIME still has readable headers and text; classify what can be read.
    warnings.push(`MIME parser failed, headers and body read as plain text: ${messageOf(error)}`);
    return { ok: true, message: plainFallback(source), warnings };
  }
  if (mail.textConversionError)
    warnings.push(`HTML not converted to text: ${mail.textConversionError.message}`);

  const headers = headerMapOf(mail);
  const contentType = structuredValue(mail.headers.get("content-type"));
  const html = typeof mail.html === "string" && mail.html !== "" ? mail.html : null;
  let text = mail.text ?? "";
  if (text.trim() === "" && html) text = htmlAsText(html);

  return {
    ok: true,
    message: {
      from: firstAddress(mail.from),
      to: addressList(mail.to),
      cc: addressList(mail.cc),
      subject: mail.subject ?? "",
      messageId: mail.messageId ?? null,
      inReplyTo: mail.inReplyTo ?? null,
      references: referencesOf(mail.references),
      headers,
      text,
      html,
      date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : null,
      contentType: contentType?.value.toLowerCase() ?? "text/plain",
      reportType: contentType?.params["report-type"]?.toLowerCase() ?? null,
      deliveryStatus: mail.attachments
        .filter((part) => REPORT_PARTS.has(part.contentType.toLowerCase()))
        .map((part) => parseDeliveryStatus(part.content.toString("utf8"))),
      originalHeaders: await originalHeadersOf(mail.attachments),
    },
    warnings,
  };
}

/**
 * The fields of a `message/delivery-status` body: the first group is per-message, every group
 * naming a recipient or an action is per-recipient (RFC 3464 section 2.1).
 */
export function parseDeliveryStatus(body: string): DeliveryStatusReport {
  const groups = body
    .replace(/\r\n?/g, "\n")
    .split(/\n[ \t]*\n/)
    .map(parseFieldGroup)
    .filter((fields) => Object.keys(fields).length > 0);
  const perMessage: Record<string, string> = {};
  const recipients: Record<string, string>[] = [];
  for (const fields of groups) {
    if ("final-recipient" in fields || "original-recipient" in fields || "action" in fields)
      recipients.push(fields);
    else Object.assign(perMessage, fields);
  }
  return { perMessage, recipients };
}

function parseFieldGroup(block: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of unfold(block).split("\n")) {
    const match = /^([!-9;-~]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (match?.[1]) fields[match[1].toLowerCase()] = (match[2] ?? "").trim();
  }
  return fields;
}

function unfold(block: string): string {
  return block.replace(/\r\n?/g, "\n").replace(/\n[ \t]+/g, " ");
}

async function originalHeadersOf(attachments: readonly Attachment[]): Promise<HeaderMap | null> {
  const part = attachments.find((candidate) => ORIGINAL_PARTS.has(candidate.contentType.toLowerCase()));
  if (!part) return null;
  const content = part.content.toString("latin1");
  const end = content.search(/\r?\n\r?\n/);
  const headerBlock = end === -1 ? content : content.slice(0, end);
  try {
    // Only the header block: parsing a bounced message's body again would add nothing.
    const original = await simpleParser(Buffer.from(`${headerBlock}\r\n\r\n`, "latin1"), {
      skipTextToHtml: true,
      checksumAlgo: false,
    });
    return headerMapOf(original);
  } catch {
    return rawHeaderMap(headerBlock);
  }
}

/** Lower-cased name → values: decoded strings where the parser decoded them, unfolded raw text otherwise. */
function headerMapOf(mail: Pick<ParsedMail, "headers" | "headerLines">): HeaderMap {
  const raw = new Map<string, string[]>();
  for (const { key, line } of mail.headerLines) {
    const value = decodeEncodedWords(
      unfold(line)
        .replace(/^[^:]*:[ \t]*/, "")
        .trim(),
    );
    raw.set(key, [...(raw.get(key) ?? []), value]);
  }
  const map: Record<string, string[]> = {};
  for (const [key, rawValues] of raw) {
    const parsed = mail.headers.get(key);
    map[key] = decodedStrings(parsed, rawValues.length)?.map(decodeEncodedWords) ?? rawValues;
  }
  return map;
}

function decodedStrings(value: HeaderValue | undefined, count: number): string[] | null {
  if (typeof value === "string" && count === 1) return [value];
  if (Array.isArray(value) && value.length === count && value.every((item) => typeof item === "string")) {
    return value as string[];
  }
  return null;
}

function rawHeaderMap(block: string): HeaderMap {
  const map: Record<string, string[]> = {};
  for (const line of unfold(block).split("\n")) {
    const match = /^([!-9;-~]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!match?.[1]) continue;
    const key = match[1].toLowerCase();
    map[key] = [...(map[key] ?? []), decodeEncodedWords((match[2] ?? "").trim())];
  }
  return map;
}

// RFC 2047 encoded words ("=?utf-8?Q?Gr=C3=BC=C3=9Fe?="), which the parser decodes only in the
// headers it knows; whitespace between two adjacent encoded words is not part of the text.
function decodeEncodedWords(value: string): string {
  if (!value.includes("=?")) return value;
  return value
    .replace(/(\?=)\s+(?==\?)/g, "$1")
    .replace(
      /=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=/g,
      (whole, charset: string, encoding: string, text: string) => {
        const bytes =
          encoding.toUpperCase() === "B"
            ? Buffer.from(text, "base64")
            : Buffer.from(
                text
                  .replace(/_/g, " ")
                  .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) =>
                    String.fromCharCode(Number.parseInt(hex, 16)),
                  ),
                "latin1",
              );
        try {
          return new TextDecoder(charset.split("*")[0]).decode(bytes);
        } catch {
          return whole;
        }
      },
    );
}

// A message that defeated the MIME parser: split headers from body and keep the text readable.
function plainFallback(source: Buffer): ParsedInbound {
  const content = source.toString("utf8");
  const split = content.search(/\r?\n\r?\n/);
  const headerBlock = split === -1 ? content : content.slice(0, split);
  const body = split === -1 ? "" : content.slice(split).replace(/^\r?\n\r?\n/, "");
  const headers = rawHeaderMap(headerBlock);
  const first = (name: string) => headers[name]?.[0] ?? null;
  const date = first("date") ? new Date(first("date") ?? "") : null;
  return {
    from: parseAddresses(first("from"))[0] ?? null,
    to: parseAddresses(first("to")),
    cc: parseAddresses(first("cc")),
    subject: first("subject") ?? "",
    messageId: first("message-id"),
    inReplyTo: first("in-reply-to"),
    references: (first("references") ?? "").match(/<[^>\s]+>/g) ?? [],
    headers,
    text: body,
    html: null,
    date: date && !Number.isNaN(date.getTime()) ? date.toISOString() : null,
    contentType: (first("content-type") ?? "text/plain").split(";")[0]?.trim().toLowerCase() ?? "text/plain",
    reportType: /report-type\s*=\s*"?([\w-]+)/i.exec(first("content-type") ?? "")?.[1]?.toLowerCase() ?? null,
    deliveryStatus: [],
    originalHeaders: null,
  };
}

function parseAddresses(value: string | null): MailAddress[] {
  if (!value) return [];
  return [...value.matchAll(/(?:"?([^"<,]*)"?\s*)?<?([\w.!#$%&'*+/=?^`{|}~-]+@[\w.-]+)>?/g)].map((match) => ({
    address: (match[2] ?? "").toLowerCase(),
    name: (match[1] ?? "").trim(),
  }));
}

function firstAddress(value: AddressObject | undefined): MailAddress | null {
  return addressList(value)[0] ?? null;
}

function addressList(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  if (!value) return [];
  const objects = Array.isArray(value) ? value : [value];
  const flat = objects.flatMap((object) =>
    object.value.flatMap((entry) => (entry.group ? entry.group : [entry])),
  );
  return flat.map((entry) => ({ address: (entry.address ?? "").toLowerCase(), name: entry.name ?? "" }));
}

function referencesOf(value: string | string[] | undefined): string[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : value.split(/\s+/)).filter((id) => id.trim() !== "");
}

function structuredValue(
  value: HeaderValue | undefined,
): { value: string; params: Record<string, string> } | null {
  if (!value || typeof value !== "object" || Array.isArray(value) || !("params" in value)) return null;
  if (typeof value.value !== "string" || typeof value.params !== "object") return null;
  const params: Record<string, string> = {};
  for (const [name, param] of Object.entries(value.params))
    if (typeof param === "string") params[name] = param;
  return { value: value.value, params };
}

function htmlAsText(html: string): string {
  if (html.length > MAX_HTML_TO_CONVERT) return html.slice(0, MAX_HTML_TO_CONVERT).replace(/<[^>]*>/g, " ");
  try {
    return htmlToText(html, {
      wordwrap: false,
      selectors: [{ selector: "a", options: { ignoreHref: true } }],
    });
  } catch {
    return html.replace(/<[^>]+>/g, " ");
  }
}

// mbox files start each message with "From sender date"; that line is not a header field.
function withoutEnvelopeLine(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length && (bytes[start] === 0x0d || bytes[start] === 0x0a || bytes[start] === 0x20))
    start++;
  const head = bytes.subarray(start, start + 5).toString("latin1");
  if (head === "From ") {
    const newline = bytes.indexOf(0x0a, start);
    return newline === -1 ? Buffer.alloc(0) : bytes.subarray(newline + 1);
  }
  return bytes.subarray(start);
}

function failure(code: InboundParseErrorCode, message: string): ParseInboundResult {
  return { ok: false, error: { code, message } };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
