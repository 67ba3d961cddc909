// Public surface of inbound classification: the types, the rules-based classifier and the
// helpers the handoff screen and other classifiers reuse.

export { classifyInbound, classifyWithRules, REPLY_RULES, rulesClassifier } from "./classify.ts";
export { readIntent } from "./intent.ts";
export { detectLanguage, type ReplyLanguage } from "./language.ts";
export { stripQuotedAndSignature } from "./quotedText.ts";
export { findReturnDate, type ReturnDateOptions } from "./returnDate.ts";
export type { ReplyRule, RuleContext } from "./rule.ts";
export type * from "./types.ts";
