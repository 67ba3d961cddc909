// The shape of one classification rule and the views of a message every rule shares, computed
// once per message so each rule stays a small pure function.

import { detectLanguage, type ReplyLanguage } from "./language.ts";
import { stripQuotedAndSignature } from "./quotedText.ts";
import type { Classification, ClassifyOptions, ParsedInbound } from "./types.ts";

export interface RuleContext {
  receivedAtUtcMs: number;
  zone: string;
  /** The whole readable text, line endings normalised. */
  text: string;
  /** What the author just wrote: quoted history and signature removed. */
  reply: string;
  language: ReplyLanguage;
}

/** A rule decides, or passes (null) to the next one. */
export type ReplyRule = (msg: ParsedInbound, ctx: RuleContext) => Classification | null;

// What decides is near the top: a bounce notice, a responder's few lines, a person's answer.
// Reading further only costs time (hundreds of patterns over megabytes of pasted logs).
const TEXT_LIMIT = 100_000;
const REPLY_LIMIT = 10_000;

export function ruleContext(msg: ParsedInbound, opts: ClassifyOptions): RuleContext {
  const text = msg.text.slice(0, TEXT_LIMIT).replace(/\r\n?/g, "\n");
  const reply = stripQuotedAndSignature(text).slice(0, REPLY_LIMIT);
  return {
    receivedAtUtcMs: opts.receivedAtUtcMs,
    zone: opts.defaultZone ?? "UTC",
    text,
    reply,
    language: detectLanguage(`${msg.subject}\n${reply}`),
  };
}

export interface LabelledPattern {
  pattern: RegExp;
  /** How the rule string names this pattern: a readable phrase, not the regex. */
  label: string;
}

export function firstMatch(patterns: readonly LabelledPattern[], text: string): LabelledPattern | null {
  for (const candidate of patterns) {
    candidate.pattern.lastIndex = 0;
    if (candidate.pattern.test(text)) return candidate;
  }
  return null;
}

export function headerValues(msg: ParsedInbound, name: string): readonly string[] {
  return msg.headers[name.toLowerCase()] ?? [];
}

export function firstHeader(msg: ParsedInbound, name: string): string | null {
  return headerValues(msg, name)[0] ?? null;
}
