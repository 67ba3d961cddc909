// What an inbound text asks of us before anything else reads it: revoke consent (STOP and its
// siblings, and plain-words requests such as "stop texting me"), re-subscribe (START), or help
// (HELP). Revocation may come by "any reasonable means" (FCC 2024), so when in doubt a short
// message that leads with a stop word counts as one: a wrong stop costs a text, a missed one
// costs a violation.

export type SmsKeyword = "stop" | "start" | "help";

export interface KeywordMatch {
  keyword: SmsKeyword;
  /** What matched, for the timeline: `keyword STOP`, `phrase "stop texting"`. */
  rule: string;
}

/** The carrier-standard opt-out words (CTIA, Twilio's defaults) plus the FCC order's examples. */
export const STOP_WORDS: readonly string[] = [
  "stop",
  "stopall",
  "unsubscribe",
  "cancel",
  "end",
  "quit",
  "revoke",
  "optout",
  "opt out",
  "stop all",
];
export const START_WORDS: readonly string[] = ["start", "unstop", "yes", "subscribe"];
export const HELP_WORDS: readonly string[] = ["help", "info"];

/** Phrases that revoke wherever they appear in a message. */
const STOP_PHRASES: readonly RegExp[] = [
  /\bstop (?:texting|messaging|sending|contacting|calling|txting|msging)\b/,
  /\b(?:do not|don'?t|dont|never) (?:text|message|contact|call|sms|txt)\b/,
  /\bno more (?:texts|messages|sms|txts)\b/,
  /\b(?:remove|take) me off\b/,
  /\bremove (?:me|my number)\b/,
  /\bunsubscribe me\b/,
  /\bopt(?:-| )?me out\b/,
  /\blose my number\b/,
  /\bwrong number\b/,
];

/** A leading stop word counts in short messages ("Stop please", "STOP!!"), not in "stop by Tuesday". */
const SHORT_MESSAGE_WORDS = 4;
const NOT_A_STOP = /^stop (?:by|in|over|at)\b/;

export function readSmsKeyword(body: string): KeywordMatch | null {
  const text = normalize(body);
  if (text === "") return null;
  for (const word of STOP_WORDS)
    if (text === word) return { keyword: "stop", rule: `keyword ${word.toUpperCase()}` };
  for (const word of START_WORDS)
    if (text === word) return { keyword: "start", rule: `keyword ${word.toUpperCase()}` };
  for (const word of HELP_WORDS)
    if (text === word) return { keyword: "help", rule: `keyword ${word.toUpperCase()}` };
  for (const phrase of STOP_PHRASES) {
    const match = phrase.exec(text);
    if (match) return { keyword: "stop", rule: `phrase "${match[0]}"` };
  }
  const words = text.split(" ");
  const first = words[0] ?? "";
  if (
    words.length <= SHORT_MESSAGE_WORDS &&
    !NOT_A_STOP.test(text) &&
    STOP_WORDS.includes(first) &&
    first !== "end" &&
    first !== "cancel"
  ) {
    return { keyword: "stop", rule: `leading keyword ${first.toUpperCase()}` };
  }
  return null;
}

/** Lower case, letters/digits/apostrophes only, single spaces: "  STOP!! " → "stop". */
function normalize(body: string): string {
  return body
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/[^\p{L}\p{N}' ]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}
