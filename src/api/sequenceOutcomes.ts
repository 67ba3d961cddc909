// What a sequence achieved, beyond per-step counts: replies by sentiment, how long the first
// reply took, how many people went through every step without answering, and whether enrolled
// contacts' deals moved more often than the deals of contacts who were not enrolled.

import { REPLY_EVENTS } from "../domain/enrollment/matchEvent.ts";
import type { Executor } from "../store/executor.ts";
import { readJsonObject } from "../store/json.ts";
import {
  dealStageChangesOfWorkspace,
  enrollmentsForOutcomes,
  repliesOfSequenceContacts,
} from "../store/ops/sequenceOutcomeRows.ts";

const POSITIVE = new Set(["interested", "meeting_request"]);
const NEGATIVE = new Set(["not_interested"]);
const HOUR_MS = 3_600_000;

export interface SequenceOutcomes {
  /** Enrollments whose contact replied (a human reply, after enrolling), by the reply's intent. */
  replies: { total: number; positive: number; negative: number; neutral: number };
  /** Hours from enrollment to the first human reply, over enrollments that got one. */
  time_to_first_reply_hours: { median: number | null; p90: number | null };
  /** Enrollments that ran every step and ended without any reply. */
  completed_without_response: number;
  /** Share of contacts with a deal whose deal changed stage after they were enrolled, against
   *  contacts never enrolled in this sequence, over the same period (since the first enrollment). */
  deal_advancement: {
    enrolled: { contacts_with_deals: number; advanced: number; rate: number | null };
    not_enrolled: { contacts_with_deals: number; advanced: number; rate: number | null };
  };
}

export async function sequenceOutcomes(
  db: Executor,
  workspaceId: string,
  sequenceId: string,
): Promise<SequenceOutcomes> {
  const [enrollments, replies, deals] = await Promise.all([
    enrollmentsForOutcomes(db, sequenceId),
    repliesOfSequenceContacts(db, sequenceId, [...REPLY_EVENTS]),
    dealStageChangesOfWorkspace(db, workspaceId),
  ]);
  const humanReplies = replies.filter((r) => {
    const cls = readJsonObject(r.dataJson).class;
    return cls === undefined || cls === null || cls === "human_reply";
  });
  const repliesByContact = new Map<string, typeof humanReplies>();
  for (const reply of humanReplies) {
    const list = repliesByContact.get(reply.contactId) ?? [];
    list.push(reply);
    repliesByContact.set(reply.contactId, list);
  }

  const outcome: SequenceOutcomes = {
    replies: { total: 0, positive: 0, negative: 0, neutral: 0 },
    time_to_first_reply_hours: { median: null, p90: null },
    completed_without_response: 0,
    deal_advancement: {
      enrolled: { contacts_with_deals: 0, advanced: 0, rate: null },
      not_enrolled: { contacts_with_deals: 0, advanced: 0, rate: null },
    },
  };
  const delays: number[] = [];
  for (const enrollment of enrollments) {
    const end = enrollment.endedAtUtcMs ?? Number.POSITIVE_INFINITY;
    const first = (repliesByContact.get(enrollment.contactId) ?? []).find(
      (r) =>
        (r.enrollmentId === null || r.enrollmentId === enrollment.id) &&
        r.occurredAtUtcMs >= enrollment.enrolledAtUtcMs &&
        r.occurredAtUtcMs <= end,
    );
    if (first) {
      outcome.replies.total += 1;
      const intent = readJsonObject(first.dataJson).intent;
      if (typeof intent === "string" && POSITIVE.has(intent)) outcome.replies.positive += 1;
      else if (typeof intent === "string" && NEGATIVE.has(intent)) outcome.replies.negative += 1;
      else outcome.replies.neutral += 1;
      delays.push((first.occurredAtUtcMs - enrollment.enrolledAtUtcMs) / HOUR_MS);
    } else if (enrollment.status === "completed") {
      outcome.completed_without_response += 1;
    }
  }
  delays.sort((a, b) => a - b);
  outcome.time_to_first_reply_hours = { median: quantile(delays, 0.5), p90: quantile(delays, 0.9) };

  // Deal advancement: enrolled contacts count changes after their (first) enrollment; the
  // others count changes since this sequence's first enrollment, the same period.
  const enrolledAt = new Map<string, number>();
  for (const e of enrollments) {
    enrolledAt.set(
      e.contactId,
      Math.min(enrolledAt.get(e.contactId) ?? e.enrolledAtUtcMs, e.enrolledAtUtcMs),
    );
  }
  const since = Math.min(...enrollments.map((e) => e.enrolledAtUtcMs), Number.POSITIVE_INFINITY);
  const contactsWithDeals = new Map<string, boolean>();
  for (const change of deals) {
    const from = enrolledAt.get(change.contactId) ?? since;
    const advanced = change.changedAtUtcMs !== null && change.changedAtUtcMs >= from;
    contactsWithDeals.set(change.contactId, (contactsWithDeals.get(change.contactId) ?? false) || advanced);
  }
  if (enrollments.length > 0) {
    for (const [contactId, advanced] of contactsWithDeals) {
      const group = enrolledAt.has(contactId)
        ? outcome.deal_advancement.enrolled
        : outcome.deal_advancement.not_enrolled;
      group.contacts_with_deals += 1;
      if (advanced) group.advanced += 1;
    }
  }
  for (const group of [outcome.deal_advancement.enrolled, outcome.deal_advancement.not_enrolled]) {
    group.rate = group.contacts_with_deals > 0 ? round(group.advanced / group.contacts_with_deals) : null;
  }
  return outcome;
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return round(sorted[Math.max(0, index)] ?? 0);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
