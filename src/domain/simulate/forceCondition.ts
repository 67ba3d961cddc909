// Makes a branch condition come out true or false by changing the simulated world (an open, a
// click, a field, a tag, an event), so each branch outcome is reached through `decide` itself.

import { evaluateCondition, fieldConditionHolds } from "../enrollment/conditions.ts";
import { eventStep } from "../enrollment/matchEvent.ts";
import type { DecideFacts, EventFact } from "../enrollment/types.ts";
import type { Condition, Match, MatchValue } from "../sequence/definition.ts";
import { matchesWhere } from "../trigger/matchEvent.ts";
import { withFieldValue } from "./simulatedFacts.ts";

export interface ForceContext {
  sinceUtcMs: number;
  /** When injected events happen. */
  atUtcMs: number;
}

/** Facts in which `condition` evaluates to `want`, or null when no simple change gets there. */
export function forceCondition(
  condition: Condition,
  want: boolean,
  facts: DecideFacts,
  ctx: ForceContext,
): DecideFacts | null {
  const forced = attempt(condition, want, facts, ctx);
  if (forced === null) return null;
  return evaluateCondition(condition, { facts: forced, sinceUtcMs: ctx.sinceUtcMs }) === want ? forced : null;
}

function attempt(
  condition: Condition,
  want: boolean,
  facts: DecideFacts,
  ctx: ForceContext,
): DecideFacts | null {
  switch (condition.kind) {
    case "opened":
      return want
        ? withEvent(
            facts,
            { type: "email.opened", step: condition.step, data: { step: condition.step } },
            ctx,
          )
        : withoutEvents(facts, (e) => e.type === "email.opened" && eventStep(e) === condition.step);
    case "clicked":
      return want
        ? withEvent(
            facts,
            {
              type: "email.clicked",
              step: condition.step,
              data: { step: condition.step, url: sampleUrl(condition.url) },
            },
            ctx,
          )
        : withoutEvents(facts, (e) => e.type === "email.clicked" && eventStep(e) === condition.step);
    case "replied":
      // A reply always ends the enrollment before any branch could see it.
      return want ? null : facts;
    case "field": {
      for (const candidate of fieldCandidates(condition.op, condition.value, want)) {
        const forced = withFieldValue(facts, condition.path, candidate);
        if (fieldConditionHolds(condition, forced) === want) return forced;
      }
      return null;
    }
    case "tag": {
      const others = facts.contact.tags.filter((t) => t.toLowerCase() !== condition.tag.toLowerCase());
      return { ...facts, contact: { ...facts.contact, tags: want ? [...others, condition.tag] : others } };
    }
    case "event": {
      if (!want) return withoutEvents(facts, (e) => e.type === condition.event);
      const data = sampleData(condition.where);
      return data === null ? null : withEvent(facts, { type: condition.event, data }, ctx);
    }
    case "all":
      return want ? forceEach(condition.of, true, facts, ctx) : forceAny(condition.of, false, facts, ctx);
    case "any":
      return want ? forceAny(condition.of, true, facts, ctx) : forceEach(condition.of, false, facts, ctx);
    case "not":
      return attempt(condition.of, !want, facts, ctx);
    default: {
      const unknown: never = condition;
      throw new Error(`unhandled condition ${JSON.stringify(unknown)}`);
    }
  }
}

function forceEach(conditions: Condition[], want: boolean, facts: DecideFacts, ctx: ForceContext) {
  let current: DecideFacts | null = facts;
  for (const c of conditions) {
    if (current === null) return null;
    current = attempt(c, want, current, ctx);
  }
  return current;
}

function forceAny(conditions: Condition[], want: boolean, facts: DecideFacts, ctx: ForceContext) {
  for (const c of conditions) {
    const forced = forceCondition(c, want, facts, ctx);
    if (forced !== null) return forced;
  }
  return null;
}

function withEvent(
  facts: DecideFacts,
  event: Omit<EventFact, "occurredAtUtcMs">,
  ctx: ForceContext,
): DecideFacts {
  return { ...facts, events: [...facts.events, { ...event, occurredAtUtcMs: ctx.atUtcMs }] };
}

function withoutEvents(facts: DecideFacts, drop: (e: EventFact) => boolean): DecideFacts {
  return { ...facts, events: facts.events.filter((e) => !drop(e)) };
}

function sampleUrl(pattern: string | undefined): string {
  return pattern === undefined ? "https://example.com/" : pattern.replaceAll("*", "x");
}

type Scalar = string | number | boolean;

function fieldCandidates(
  op: string,
  value: Scalar | Array<string | number> | undefined,
  want: boolean,
): Array<Scalar | string[] | null> {
  const first: Scalar = Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
  const numeric = typeof first === "number" ? first : Number(first);
  const other = `not ${String(first)}`;
  const yes = (op: string): Array<Scalar | string[] | null> => {
    switch (op) {
      case "equals":
      case "contains":
      case "in":
        return [first, [String(first)]];
      case "not_equals":
        return [other, null];
      case "exists":
        return ["sample", ["sample"]];
      case "missing":
        return [null];
      case "gt":
        return Number.isFinite(numeric) ? [numeric + 1] : [];
      case "lt":
        return Number.isFinite(numeric) ? [numeric - 1] : [];
      default:
        return [];
    }
  };
  if (want) return yes(op);
  return [null, other, "sample", ...(Number.isFinite(numeric) ? [numeric] : []), first];
}

/** Event data satisfying a `where`; null for patterns too clever to invert (some regexes). */
export function sampleData(where: Match | undefined): Record<string, unknown> | null {
  if (!where) return {};
  const data: Record<string, unknown> = {};
  for (const [path, expected] of Object.entries(where)) setPath(data, path, sampleValue(expected));
  return matchesWhere(where, data) ? data : null;
}

function sampleValue(expected: MatchValue): unknown {
  if (typeof expected !== "object" || expected === null) return expected;
  if ("equals" in expected) return expected.equals;
  if ("in" in expected) return expected.in[0];
  if ("contains" in expected) return expected.contains;
  if ("matches" in expected) return expected.matches.replace(/[\^$\\]/g, "").replace(/[.*+?]/g, "");
  if ("gte" in expected) return expected.gte;
  if ("lte" in expected) return expected.lte;
  return undefined;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let current = target;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (next === null || typeof next !== "object") current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[parts[parts.length - 1] as string] = value;
}
