// Evaluates branch conditions and field exits against what the engine knows about a contact:
// CRM fields, tags, and the human events seen since the enrollment began.

import type { Condition, FieldOp, MatchValue } from "../sequence/definition.ts";
import { matchesWhere } from "../trigger/matchEvent.ts";
import { eventStep, humanEventsSince, isHumanReply, matchesEventRule } from "./matchEvent.ts";
import type { ContactFacts, DecideFacts, EventFact } from "./types.ts";

export interface ConditionContext {
  facts: DecideFacts;
  /** Events before this instant belong to an earlier enrollment and never count. */
  sinceUtcMs: number;
}

export function evaluateCondition(condition: Condition, ctx: ConditionContext): boolean {
  switch (condition.kind) {
    case "opened":
      return recentEvents(ctx).some((e) => e.type === "email.opened" && eventStep(e) === condition.step);
    case "clicked":
      return recentEvents(ctx).some(
        (e) =>
          e.type === "email.clicked" &&
          eventStep(e) === condition.step &&
          (condition.url === undefined || urlMatches(condition.url, e.data.url)),
      );
    case "replied":
      return recentEvents(ctx).some(isHumanReply);
    case "field":
      return fieldConditionHolds(condition, ctx.facts);
    case "tag":
      return ctx.facts.contact.tags.some((t) => t.toLowerCase() === condition.tag.toLowerCase());
    case "event":
      return recentEvents(ctx).some((e) =>
        matchesEventRule(
          { event: condition.event, ...(condition.where ? { where: condition.where } : {}) },
          e,
        ),
      );
    case "all":
      return condition.of.every((c) => evaluateCondition(c, ctx));
    case "any":
      return condition.of.some((c) => evaluateCondition(c, ctx));
    case "not":
      return !evaluateCondition(condition.of, ctx);
    default: {
      const unknown: never = condition;
      throw new Error(`unhandled condition ${JSON.stringify(unknown)}`);
    }
  }
}

function recentEvents(ctx: ConditionContext): EventFact[] {
  return humanEventsSince(ctx.facts.events, ctx.sinceUtcMs);
}

/** `*` matches any run of characters; everything else is literal. Case-insensitive, like hosts. */
export function urlMatches(pattern: string, url: unknown): boolean {
  if (typeof url !== "string") return false;
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "i").test(url);
}

export interface FieldTest {
  path: string;
  op: FieldOp;
  value?: string | number | boolean | Array<string | number>;
}

const CONTACT_ATTRIBUTES = [
  "id",
  "email",
  "first_name",
  "last_name",
  "title",
  "phone",
  "time_zone",
  "lifecycle_stage",
] as const satisfies ReadonlyArray<keyof ContactFacts>;

/**
 * Reads `first_name`, `contact.title`, `fields.plan`, `tags`, `company`, `account.name`,
 * `account.fields.x`, `deal.stage`. A bare unknown name is a custom field, as people write it.
 */
export function fieldValue(path: string, facts: DecideFacts): unknown {
  const bare = path.startsWith("contact.") ? path.slice("contact.".length) : path;
  const [head, ...rest] = bare.split(".");
  const tail = rest.join(".");
  if (head === "account") return facts.account ? valueIn(facts.account, tail) : undefined;
  if (head === "deal") return facts.deal ? valueIn(facts.deal, tail) : undefined;
  if (head === "fields") return facts.contact.fields[tail];
  if (head === "tags" && tail === "") return facts.contact.tags;
  if (head === "company" && tail === "") return facts.account?.name ?? undefined;
  if ((CONTACT_ATTRIBUTES as readonly string[]).includes(bare)) {
    return facts.contact[bare as (typeof CONTACT_ATTRIBUTES)[number]];
  }
  return facts.contact.fields[bare];
}

function valueIn(object: object, path: string): unknown {
  let current: unknown = object;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function fieldConditionHolds(test: FieldTest, facts: DecideFacts): boolean {
  const actual = fieldValue(test.path, facts);
  const values = Array.isArray(actual) ? actual : [actual];
  switch (test.op) {
    case "exists":
      return isPresent(actual);
    case "missing":
      return !isPresent(actual);
    case "equals":
      return values.some((v) => matchesOne(v, { equals: scalar(test.value) }));
    case "not_equals":
      return !values.some((v) => matchesOne(v, { equals: scalar(test.value) }));
    case "contains":
      return Array.isArray(actual)
        ? actual.some((v) => matchesOne(v, { equals: scalar(test.value) }))
        : matchesOne(actual, { contains: String(scalar(test.value)) });
    case "gt":
      return compareNumbers(actual, test.value, (a, b) => a > b);
    case "lt":
      return compareNumbers(actual, test.value, (a, b) => a < b);
    case "in": {
      const options = Array.isArray(test.value) ? test.value : [scalar(test.value)];
      return values.some((v) => matchesOne(v, { in: options }));
    }
    default: {
      const unknown: never = test.op;
      throw new Error(`unhandled field operator ${String(unknown)}`);
    }
  }
}

function isPresent(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

function scalar(value: FieldTest["value"]): string | number | boolean {
  if (Array.isArray(value)) return value[0] ?? "";
  return value ?? "";
}

/** Same comparison rules as event `where` matches: case-insensitive strings, numeric strings. */
function matchesOne(actual: unknown, expected: MatchValue): boolean {
  return matchesWhere({ value: expected }, { value: actual });
}

function compareNumbers(
  actual: unknown,
  expected: FieldTest["value"],
  cmp: (a: number, b: number) => boolean,
) {
  const a = toNumber(actual);
  const b = toNumber(scalar(expected));
  return a !== null && b !== null && cmp(a, b);
}

function toNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string" || value.trim() === "") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
