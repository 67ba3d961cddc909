// Which stored events an enrollment may act on: human events only (machine opens and link
// scanners never move a sequence), scoped to a step of this enrollment when asked.

import type { Match } from "../sequence/definition.ts";
import { matchesWhere } from "../trigger/matchEvent.ts";
import type { EventFact } from "./types.ts";

/** The step an open/click/reply is about: set by the engine, or carried in the event's data. */
export function eventStep(event: EventFact): string | undefined {
  if (event.step) return event.step;
  return typeof event.data.step === "string" ? event.data.step : undefined;
}

export function isHumanEvent(event: EventFact): boolean {
  return event.machine !== true;
}

/** A prospect answering: by email, by text, or by calling one of our numbers back. */
export const REPLY_EVENTS: ReadonlySet<string> = new Set([
  "email.replied",
  "reply.received",
  "sms.replied",
  "call.received",
]);

/** A reply a person wrote; replies with no class yet count, so an unclassified answer still stops us. */
export function isHumanReply(event: EventFact): boolean {
  if (!REPLY_EVENTS.has(event.type)) return false;
  const cls = event.data.class;
  return cls === undefined || cls === null || cls === "human_reply";
}

export interface EventRule {
  event: string;
  step?: string;
  where?: Match;
}

/** A human event of the rule's type, about the rule's step when it names one, matching `where`. */
export function matchesEventRule(rule: EventRule, event: EventFact): boolean {
  if (event.type !== rule.event || !isHumanEvent(event)) return false;
  if (rule.step !== undefined && eventStep(event) !== rule.step) return false;
  return matchesWhere(rule.where, event.data);
}

/** Human events that happened at or after an instant, oldest first as the engine loads them. */
export function humanEventsSince(events: readonly EventFact[], sinceUtcMs: number): EventFact[] {
  return events.filter((e) => isHumanEvent(e) && e.occurredAtUtcMs >= sinceUtcMs);
}
