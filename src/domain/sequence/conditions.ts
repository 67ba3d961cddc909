// Readers for the small condition languages: event `where` matches, field tests (`field:` with one
// operator) and branch conditions (`opened`, `clicked`, `field`, `tag`, `event`, `all`/`any`/`not`).

import type { Condition, FieldOp, Match, MatchValue } from "./definition.ts";
import { type ReadingContext, readEventName, readNonEmptyText, readStepOf, readText } from "./leaves.ts";
import { describeValue, INVALID, isRecord, type Problems, type Read, setOwn } from "./problems.ts";

type Scalar = string | number | boolean;

function isScalar(value: unknown): value is Scalar {
  return (
    typeof value === "string" ||
    (typeof value === "number" && Number.isFinite(value)) ||
    typeof value === "boolean"
  );
}

function readMapping(value: unknown, problems: Problems, example: string): Read<Record<string, unknown>> {
  if (!isRecord(value)) {
    return problems.add(`expected a mapping, got ${describeValue(value)}`, { hint: `e.g. ${example}` });
  }
  return value;
}

/** Reports every key of `value` outside `allowed`; returns whether there were none. */
export function checkKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  problems: Problems,
): boolean {
  let ok = true;
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      problems.unknownKey(key, allowed);
      ok = false;
    }
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------
// where: { form: demo-request, url: { contains: /pricing }, plan: [pro, team] }

const MATCH_OPERATORS = ["equals", "in", "contains", "matches", "gte", "lte"] as const;
type MatchOperator = (typeof MATCH_OPERATORS)[number];

export function readMatch(value: unknown, problems: Problems): Read<Match> {
  const where = readMapping(value, problems, "where: { form: demo-request }");
  if (where === INVALID) return INVALID;
  const out: Match = {};
  let failed = false;
  for (const [path, expected] of Object.entries(where)) {
    const read = readMatchValue(expected, problems.under(path), path);
    if (read === INVALID) failed = true;
    else setOwn(out, path, read);
  }
  return failed ? INVALID : out;
}

function readMatchValue(value: unknown, problems: Problems, key: string): Read<MatchValue> {
  if (isScalar(value)) return value;
  if (value === null) {
    return problems.add(`\`${key}\` has no value to match`, { hint: `write e.g. "${key}: some-value"` });
  }
  // A plain list reads as "any of these", the way people write it.
  if (Array.isArray(value)) return readMatchList(value, problems);
  if (!isRecord(value)) return problems.add(`expected a value or an operator, got ${describeValue(value)}`);
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    return problems.add(
      keys.length === 0
        ? `\`${key}\` has an empty operator mapping`
        : `\`${key}\` has ${keys.length} operators (${keys.join(", ")}); a match takes one`,
      { hint: `use one of ${MATCH_OPERATORS.join(", ")}, e.g. { contains: pricing }` },
    );
  }
  const op = keys[0]!;
  const operand = value[op];
  const at = problems.under(op);
  if (!(MATCH_OPERATORS as readonly string[]).includes(op)) return problems.unknownKey(op, MATCH_OPERATORS);
  switch (op as MatchOperator) {
    case "equals":
      if (!isScalar(operand)) return at.add(`expected a single value, got ${describeValue(operand)}`);
      return { equals: operand };
    case "in": {
      if (!Array.isArray(operand)) {
        return at.add(`expected a list of values, got ${describeValue(operand)}`, {
          hint: "e.g. in: [closed_won, closed_lost]",
        });
      }
      const list = readMatchList(operand, at);
      return list === INVALID ? INVALID : list;
    }
    case "contains": {
      const text = readText(operand, at, "text to look for");
      return text === INVALID ? INVALID : { contains: text };
    }
    case "matches": {
      const pattern = readText(operand, at, "a regular expression");
      if (pattern === INVALID) return INVALID;
      try {
        new RegExp(pattern, "i");
      } catch (error) {
        return at.add(`"${pattern}" is not a valid regular expression: ${(error as Error).message}`, {
          hint: "special characters such as ( [ . * + ? need a backslash to be matched literally",
        });
      }
      return { matches: pattern };
    }
    case "gte":
    case "lte": {
      if (typeof operand !== "number" || !Number.isFinite(operand)) {
        return at.add(`expected a number, got ${describeValue(operand)}`);
      }
      return op === "gte" ? { gte: operand } : { lte: operand };
    }
  }
}

function readMatchList(values: unknown[], problems: Problems): Read<{ in: Scalar[] }> {
  if (values.length === 0) return problems.add("the list is empty, so nothing would ever match");
  const out: Scalar[] = [];
  let failed = false;
  values.forEach((v, i) => {
    if (isScalar(v)) out.push(v);
    else {
      problems.under(i).add(`expected a single value, got ${describeValue(v)}`);
      failed = true;
    }
  });
  return failed ? INVALID : { in: out };
}

// ---------------------------------------------------------------------------------------------
// Field tests: { field: contact.title, contains: VP }, also used by `exit.fields`.

export const FIELD_OPS: readonly FieldOp[] = [
  "equals",
  "not_equals",
  "contains",
  "exists",
  "missing",
  "gt",
  "lt",
  "in",
];

export interface FieldTest {
  path: string;
  op: FieldOp;
  value?: string | number | boolean | Array<string | number>;
}

export function readFieldTest(
  value: Record<string, unknown>,
  problems: Problems,
  extraKeys: readonly string[],
): Read<FieldTest> {
  const allowed = ["field", ...FIELD_OPS, ...extraKeys];
  const keysOk = checkKeys(value, allowed, problems);
  const path = readNonEmptyText(value.field, problems.under("field"), "a field name");
  const ops = FIELD_OPS.filter((op) => op in value);
  if (ops.length === 0) {
    if (!keysOk) return INVALID;
    return problems.add(`the test on \`${String(value.field)}\` has no operator`, {
      path: ["field"],
      at: "key",
      hint: `add one of ${FIELD_OPS.join(", ")}, e.g. "equals: customer"`,
    });
  }
  if (ops.length > 1) {
    return problems.add(`a field test takes one operator, found ${ops.join(" and ")}`, {
      path: [ops[1]!],
      at: "key",
      hint: "combine tests with all: [...] in a branch",
    });
  }
  const op = ops[0]!;
  const operand = value[op];
  const at = problems.under(op);
  if (path === INVALID || !keysOk) return INVALID;
  switch (op) {
    case "exists":
    case "missing": {
      if (typeof operand !== "boolean") {
        return at.add(`expected true or false, got ${describeValue(operand)}`, {
          hint: `write "${op}: true"`,
        });
      }
      // `exists: false` is a natural way to say "missing".
      const effective: FieldOp = operand ? op : op === "exists" ? "missing" : "exists";
      return { path, op: effective };
    }
    case "gt":
    case "lt":
      if (typeof operand !== "number" || !Number.isFinite(operand)) {
        return at.add(`expected a number, got ${describeValue(operand)}`);
      }
      return { path, op, value: operand };
    case "in": {
      if (!Array.isArray(operand) || operand.length === 0) {
        return at.add(`expected a non-empty list of values, got ${describeValue(operand)}`, {
          hint: "e.g. in: [customer, evangelist]",
        });
      }
      const list: Array<string | number> = [];
      let failed = false;
      operand.forEach((v, i) => {
        if (typeof v === "string" || (typeof v === "number" && Number.isFinite(v))) list.push(v);
        else {
          at.under(i).add(`expected text or a number, got ${describeValue(v)}`);
          failed = true;
        }
      });
      return failed ? INVALID : { path, op, value: list };
    }
    default:
      if (!isScalar(operand)) return at.add(`expected a single value, got ${describeValue(operand)}`);
      return { path, op, value: operand };
  }
}

// ---------------------------------------------------------------------------------------------
// Branch conditions

const CONDITION_KINDS = [
  "opened",
  "clicked",
  "replied",
  "field",
  "tag",
  "event",
  "all",
  "any",
  "not",
] as const;
type ConditionKey = (typeof CONDITION_KINDS)[number];

/** Keys each kind of condition may have besides its own. */
const CONDITION_EXTRA_KEYS: Record<ConditionKey, readonly string[]> = {
  opened: [],
  clicked: ["url"],
  replied: [],
  field: FIELD_OPS,
  tag: [],
  event: ["where"],
  all: [],
  any: [],
  not: [],
};

const CONDITION_EXAMPLE = "{ clicked: intro }, { field: contact.title, contains: VP }, { tag: enterprise }";

export function readCondition(value: unknown, problems: Problems, ctx: ReadingContext): Read<Condition> {
  const cond = readMapping(value, problems, CONDITION_EXAMPLE);
  if (cond === INVALID) return INVALID;
  const kinds = CONDITION_KINDS.filter((k) => k in cond);
  if (kinds.length === 0) {
    const keys = Object.keys(cond);
    if (keys.length === 0) {
      return problems.add("the condition is empty", { hint: `write e.g. ${CONDITION_EXAMPLE}` });
    }
    for (const key of keys) problems.unknownKey(key, CONDITION_KINDS);
    return INVALID;
  }
  if (kinds.length > 1) {
    return problems.add(`one condition per entry, found ${kinds.map((k) => `\`${k}\``).join(" and ")}`, {
      path: [kinds[1]!],
      at: "key",
      hint: `to require both write all: [ { ${kinds[0]}: … }, { ${kinds[1]}: … } ]; for either, any: [ … ]`,
    });
  }
  const kind = kinds[0]!;
  if (kind === "field") {
    const test = readFieldTest(cond, problems, []);
    return test === INVALID ? INVALID : { kind: "field", ...test };
  }
  const keysOk = checkKeys(cond, [kind, ...CONDITION_EXTRA_KEYS[kind]], problems);
  const at = problems.under(kind);
  const operand = cond[kind];
  const read = readConditionOf(kind, operand, cond, at, problems, ctx);
  return keysOk ? read : INVALID;
}

function readConditionOf(
  kind: Exclude<ConditionKey, "field">,
  operand: unknown,
  cond: Record<string, unknown>,
  at: Problems,
  problems: Problems,
  ctx: ReadingContext,
): Read<Condition> {
  switch (kind) {
    case "opened": {
      const step = readStepOf(operand, at, ctx, ["email"], "opens are tracked on emails");
      return step === INVALID ? INVALID : { kind: "opened", step };
    }
    case "clicked": {
      const step = readStepOf(operand, at, ctx, ["email", "sms"], "clicks are tracked on emails and texts");
      const url =
        cond.url === undefined
          ? undefined
          : readNonEmptyText(cond.url, problems.under("url"), "a URL pattern");
      if (step === INVALID || url === INVALID) return INVALID;
      return url === undefined ? { kind: "clicked", step } : { kind: "clicked", step, url };
    }
    case "replied":
      if (operand !== true) {
        return at.add(`expected \`replied: true\`, got ${describeValue(operand)}`, {
          hint: 'for "has not replied" write not: { replied: true }',
        });
      }
      return { kind: "replied" };
    case "tag": {
      const tag = readNonEmptyText(operand, at, "a tag");
      return tag === INVALID ? INVALID : { kind: "tag", tag };
    }
    case "event": {
      const event = readEventName(operand, at);
      const where = cond.where === undefined ? undefined : readMatch(cond.where, problems.under("where"));
      if (event === INVALID || where === INVALID) return INVALID;
      return where === undefined ? { kind: "event", event } : { kind: "event", event, where };
    }
    case "all":
    case "any": {
      if (!Array.isArray(operand) || operand.length === 0) {
        return at.add(`expected a non-empty list of conditions, got ${describeValue(operand)}`, {
          hint: `e.g. ${kind}: [ { opened: intro }, { clicked: intro } ]`,
        });
      }
      const of: Condition[] = [];
      let failed = false;
      operand.forEach((entry, i) => {
        const read = readCondition(entry, at.under(i), ctx);
        if (read === INVALID) failed = true;
        else of.push(read);
      });
      return failed ? INVALID : { kind, of };
    }
    case "not": {
      if (Array.isArray(operand)) {
        return at.add("`not` takes one condition, not a list", {
          hint: "for none of several, write not: { any: [ … ] }",
        });
      }
      const of = readCondition(operand, at, ctx);
      return of === INVALID ? INVALID : { kind: "not", of };
    }
  }
}
