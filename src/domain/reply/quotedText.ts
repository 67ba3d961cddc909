// Cuts a reply down to what its author just wrote: quoted history (Gmail, Outlook, Apple Mail,
// in six languages), forwarded blocks, signatures and mobile footers go, so our own sales copy
// quoted below ("book a demo", "unsubscribe") never decides what the prospect meant.

import { unicodeWords } from "./unicodeWords.ts";

const ATTRIBUTION_START = /^(?:on|am|le|el|op|em|den|il|w dniu)\s/i;
const ATTRIBUTION_END = unicodeWords(
  /\b(?:wrote|writes|schrieb|a écrit|a ecrit|escribió|escribio|schreef|escreveu|skrev|ha scritto|napisał)\b[^\n]{0,120}:\s*$/i,
);

const SEPARATOR_LINES: readonly RegExp[] = [
  /^-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original|oorspronkelijk bericht|origineel bericht|mensagem original|ursprungligt meddelande|messaggio originale)\s*-{2,}/i,
  /^-{2,}\s*(?:forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|doorgestuurd bericht)\s*-{2,}/i,
  /^(?:begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|inicio del mensaje reenviado)\s*:/i,
];
// Outlook's rule line before the quoted header block; alone it may just separate two languages.
const UNDERSCORE_RULE = /^_{20,}\s*$/;

// An Outlook quote header: a From line followed within a few lines by Sent/Date, To, Subject.
const HEADER_FROM = /^\*?\s*(?:from|von|de|van|från|da|od)\s*\*?\s*:\s*\S/i;
const HEADER_FOLLOWERS =
  /^\*?\s*(?:sent|date|gesendet|datum|envoyé|enviado|fecha|verzonden|skickat|inviato|data|to|an|à|a|para|aan|till|cc|subject|betreff|objet|asunto|onderwerp|assunto|ämne|oggetto)\s*\*?\s*:/i;

const MOBILE_FOOTER =
  /^(?:sent from my\b|sent from (?:outlook|mail for windows|yahoo mail|gmail)|get outlook for|sent via\b|sent with\b|von meinem \S+ gesendet|gesendet von meinem|envoyé de mon|envoyé depuis|enviado desde mi|enviado do meu|verzonden (?:vanaf|met) mijn|verstuurd vanaf mijn|skickat från min|inviato da)/i;

const DISCLAIMER =
  /^(?:confidentiality notice|this (?:e-?mail|message)(?: and any attachments?)? (?:is|are|may be) (?:confidential|intended)|diese e-?mail (?:enthält|kann) vertrauliche|ce message (?:et|est) (?:toutes? )?(?:les pièces jointes )?(?:est )?confidentiel|este (?:correo|mensaje) (?:es|y sus anexos|contiene) (?:confidencial|información))/i;

const SIGN_OFFS = [
  "best",
  "best regards",
  "best wishes",
  "kind regards",
  "warm regards",
  "warmest regards",
  "regards",
  "many thanks",
  "thanks",
  "thanks again",
  "thank you",
  "thx",
  "cheers",
  "sincerely",
  "all the best",
  "talk soon",
  "br",
  "mit freundlichen grüßen",
  "mit freundlichen grüssen",
  "freundliche grüße",
  "viele grüße",
  "beste grüße",
  "liebe grüße",
  "schöne grüße",
  "grüße",
  "gruß",
  "lg",
  "vg",
  "mfg",
  "cordialement",
  "bien cordialement",
  "bien à vous",
  "bonne journée",
  "merci",
  "merci beaucoup",
  "salutations",
  "amitiés",
  "saludos",
  "un saludo",
  "saludos cordiales",
  "atentamente",
  "gracias",
  "muchas gracias",
  "un abrazo",
  "met vriendelijke groet",
  "vriendelijke groet",
  "met vriendelijke groeten",
  "groeten",
  "groet",
  "mvg",
  "atenciosamente",
  "abraços",
  "obrigado",
  "obrigada",
  "med vänliga hälsningar",
  "vänliga hälsningar",
  "hälsningar",
  "mvh",
];
// Longest first, so "best regards" is not read as "best" followed by a lower-case tail.
const SIGN_OFF = new RegExp(
  `^(${[...SIGN_OFFS].sort((a, b) => b.length - a.length).join("|")})(?![\\p{L}])(.*)$`,
  "iu",
);
// What may follow a sign-off on its own line: punctuation and at most a capitalised name.
const SIGN_OFF_TAIL = /^[\s,.!-]*(?:\p{Lu}[\p{L}.'-]*(?:\s+\p{Lu}[\p{L}.'-]*){0,2})?[\s,.!]*$/u;

const MAX_SIGNATURE_LINES = 8;

export function stripQuotedAndSignature(text: string): string {
  const lines = normalise(text).split("\n");
  const cut = quoteBoundary(lines);
  let kept = lines.slice(0, cut);
  if (isBlank(kept)) {
    // Bottom-posted replies quote first and answer below; keep every line that is not quoted.
    kept = lines.filter((line, index) => !/^\s*>/.test(line) && !isAttribution(lines, index));
  }
  const withoutSignature = stripSignature(kept);
  return tidy(isBlank(withoutSignature) ? kept : withoutSignature);
}

function normalise(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/\u200b|\u200c|\u200d|\ufeff/g, "")
    .replace(/\u00a0/g, " ");
}

function quoteBoundary(lines: readonly string[]): number {
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? "").trim();
    if (line.startsWith(">")) return index;
    if (isAttribution(lines, index)) return index;
    if (SEPARATOR_LINES.some((pattern) => pattern.test(line))) return index;
    if (isQuoteHeader(lines, index)) return index;
    if (UNDERSCORE_RULE.test(line) && nextContentLine(lines, index) !== null) {
      const next = nextContentLine(lines, index) ?? index;
      if (isQuoteHeader(lines, next)) return index;
    }
  }
  return lines.length;
}

// Gmail wraps a long attribution over two or three lines, so join before testing the end.
function isAttribution(lines: readonly string[], index: number): boolean {
  const first = (lines[index] ?? "").trim();
  if (first === "" || first.length > 400) return false;
  // "On … wrote:" starts with a known word; "Sam Rivera <sam@…> schrieb am 25.11.2026 10:02:"
  // (Lotus, Thunderbird) does not, but names an address or a time.
  const knownStart = ATTRIBUTION_START.test(first);
  let joined = first;
  for (let offset = 0; offset < 3; offset++) {
    if (offset > 0) joined += ` ${(lines[index + offset] ?? "").trim()}`;
    if (joined.length > 400) return false;
    if (ATTRIBUTION_END.test(joined) && (knownStart || /@|\d{1,2}[:.]\d{2}/.test(joined))) return true;
    if (!knownStart) return false;
  }
  return false;
}

function nextContentLine(lines: readonly string[], index: number): number | null {
  for (let next = index + 1; next < lines.length && next <= index + 3; next++) {
    if ((lines[next] ?? "").trim() !== "") return next;
  }
  return null;
}

function isQuoteHeader(lines: readonly string[], index: number): boolean {
  if (!HEADER_FROM.test((lines[index] ?? "").trim())) return false;
  let followers = 0;
  for (let offset = 1; offset <= 6 && index + offset < lines.length; offset++) {
    const next = (lines[index + offset] ?? "").trim();
    if (HEADER_FOLLOWERS.test(next)) followers++;
  }
  return followers >= 2;
}

function stripSignature(lines: readonly string[]): string[] {
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? "";
    const line = raw.trim();
    if (raw === "-- " || line === "--" || line === "—" || MOBILE_FOOTER.test(line) || DISCLAIMER.test(line)) {
      return lines.slice(0, index);
    }
    const signOff = SIGN_OFF.exec(line);
    if (signOff && SIGN_OFF_TAIL.test(signOff[2] ?? "") && looksLikeSignatureBlock(lines.slice(index + 1))) {
      return lines.slice(0, index);
    }
  }
  return [...lines];
}

// After a sign-off come a name, a title, a phone number: a few short lines, no new paragraph of prose.
function looksLikeSignatureBlock(rest: readonly string[]): boolean {
  const content = rest.map((line) => line.trim()).filter((line) => line !== "");
  if (content.length > MAX_SIGNATURE_LINES) return false;
  return content.every((line) => line.length <= 80 && !/[?]$/.test(line));
}

function isBlank(lines: readonly string[]): boolean {
  return lines.every((line) => line.trim() === "");
}

function tidy(lines: readonly string[]): string {
  return lines
    .map((line) => line.replace(/\s+$/, ""))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
