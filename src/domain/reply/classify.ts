// The rules-based classifier: an ordered list of small rules, first verdict wins. Machine mail is
// settled before any person's words are read, so a bounce or an out-of-office can never come out
// as a human reply.

import {
  autoResponderHeaders,
  autoSubmittedHeader,
  machineMail,
  outOfOfficeBody,
  outOfOfficeSubject,
} from "./autoReply.ts";
import { deliveryStatusReport, plainTextBounce } from "./bounce.ts";
import { humanIntent } from "./intent.ts";
import { type ReplyRule, ruleContext } from "./rule.ts";
import type { Classification, Classifier, ClassifyOptions, ParsedInbound } from "./types.ts";
import { feedbackReport, unsubscribeRequest, unsubscribeSubject } from "./unsubscribe.ts";

/**
 * Order matters. Structural reports first (a spam complaint, a delivery-status report), then
 * plain-text bounces, then automatic replies, then what a person wrote. A subject that is only
 * "unsubscribe" comes before the automatic-reply checks: mail clients send it on a person's
 * click and some mark it auto-generated.
 */
export const REPLY_RULES: readonly ReplyRule[] = [
  feedbackReport,
  deliveryStatusReport,
  plainTextBounce,
  unsubscribeSubject,
  autoSubmittedHeader,
  autoResponderHeaders,
  outOfOfficeSubject,
  outOfOfficeBody,
  machineMail,
  unsubscribeRequest,
  humanIntent,
];

export function classifyWithRules(
  rules: readonly ReplyRule[],
  msg: ParsedInbound,
  opts: ClassifyOptions,
): Classification {
  const ctx = ruleContext(msg, opts);
  for (const rule of rules) {
    const verdict = rule(msg, ctx);
    if (verdict) return verdict;
  }
  return { class: "human_reply", intent: "other", rule: "no rule matched", confidence: 0.2 };
}

export function classifyInbound(msg: ParsedInbound, opts: ClassifyOptions): Classification {
  return classifyWithRules(REPLY_RULES, msg, opts);
}

export const rulesClassifier: Classifier = { classify: classifyInbound };
