// Why an enrollment must stop: the always-on exits (a person answered, booked, opted out, or the
// address is dead), the sequence's own exits (events, deal stages, fields), and manual exits.

import type { ExitReason, SequenceDefinition } from "../sequence/definition.ts";
import { matchesWhere } from "../trigger/matchEvent.ts";
import { fieldConditionHolds } from "./conditions.ts";
import { isHumanEvent, isHumanReply, REPLY_EVENTS } from "./matchEvent.ts";
import type { DecideFacts, DecideInput, EnrollmentState, EventFact } from "./types.ts";

export interface ExitVerdict {
  reason: ExitReason;
  detail: string | null;
}

// A STOP to texts (`sms.unsubscribed`) is not here: it ends texts, and the touches it blocks are
// skipped at send time, while emails and calls go on.
const UNSUBSCRIBE_EVENTS = new Set(["contact.unsubscribed", "email.unsubscribed"]);

/** An out-of-office answer: pauses, never exits. `returnDate` is an ISO date or null when unstated. */
export function autoReplyOf(event: EventFact): { returnDate: string | null } | null {
  const isAutoReply =
    event.type === "reply.auto_reply" || (REPLY_EVENTS.has(event.type) && event.data.class === "auto_reply");
  if (!isAutoReply) return null;
  const date = event.data.return_date ?? event.data.returnDate;
  return { returnDate: typeof date === "string" && date !== "" ? date : null };
}

export function exitForEvent(event: EventFact, def: SequenceDefinition): ExitVerdict | null {
  if (isHumanReply(event)) return { reason: "replied", detail: event.type };
  if (REPLY_EVENTS.has(event.type)) {
    // A classified reply that is really an opt-out or a dead-address notice.
    if (event.data.class === "unsubscribe_request") return { reason: "unsubscribed", detail: event.type };
    if (event.data.class === "bounce_hard") return { reason: "bounced", detail: event.type };
  }
  if (event.type === "meeting.booked") return { reason: "meeting_booked", detail: event.type };
  if (UNSUBSCRIBE_EVENTS.has(event.type)) return { reason: "unsubscribed", detail: event.type };
  if (event.type === "email.bounced" && event.data.hard !== false) {
    return { reason: "bounced", detail: describeBounce(event) };
  }
  if (event.type === "account.replied" && def.exit.account) {
    return { reason: "account_replied", detail: stringOrNull(event.data.email) ?? event.type };
  }
  if (event.type === "deal.stage_changed") {
    const to = stringOrNull(event.data.to);
    if (to !== null && def.exit.dealStages.some((s) => s.toLowerCase() === to.toLowerCase())) {
      return { reason: "stage_changed", detail: `deal stage ${to}` };
    }
  }
  // Sequence exits are human signals too: an automated scanner's click must not end a sequence.
  if (isHumanEvent(event)) {
    const rule = def.exit.events.find((r) => r.event === event.type && matchesWhere(r.where, event.data));
    if (rule) return { reason: "event", detail: event.type };
  }
  return null;
}

export function exitForFields(def: SequenceDefinition, facts: DecideFacts): ExitVerdict | null {
  const rule = def.exit.fields.find((f) => fieldConditionHolds(f, facts));
  if (!rule) return null;
  const value =
    rule.value === undefined ? "" : ` ${Array.isArray(rule.value) ? rule.value.join(",") : rule.value}`;
  return { reason: "field", detail: `${rule.path} ${rule.op}${value}` };
}

/**
 * The exit an input causes, checked before anything else: the input itself, the contact's
 * fields now, and any exit-worthy event stored after the enrollment began (so an event the
 * engine failed to feed still stops the next run). Events at the enrollment instant are left
 * out: that is the event that may have started it.
 */
export function exitFor(
  state: EnrollmentState,
  def: SequenceDefinition,
  input: DecideInput,
  facts: DecideFacts,
): ExitVerdict | null {
  if (input.kind === "exit") return { reason: input.reason, detail: input.detail ?? null };
  if (input.kind === "event") {
    const fromInput = exitForEvent(input.event, def);
    if (fromInput) return fromInput;
  }
  const fromFields = exitForFields(def, facts);
  if (fromFields) return fromFields;
  for (const event of facts.events) {
    if (event.occurredAtUtcMs <= state.enrolledAtUtcMs) continue;
    const fromHistory = exitForEvent(event, def);
    if (fromHistory) return fromHistory;
  }
  return null;
}

function describeBounce(event: EventFact): string {
  const status = stringOrNull(event.data.status);
  return status ? `email.bounced ${status}` : "email.bounced";
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
