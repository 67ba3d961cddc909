// Short human words for what happened on a simulated path: "clicked proposal", "did not open
// intro", "title contains VP", "held: missing contact.first_name".

import type { Condition, FieldOp, Step } from "../sequence/definition.ts";

export function describeCondition(condition: Condition, holds = true): string {
  switch (condition.kind) {
    case "opened":
      return holds ? `opened ${condition.step}` : `did not open ${condition.step}`;
    case "clicked": {
      const link = condition.url ? ` (${condition.url})` : "";
      return holds ? `clicked ${condition.step}${link}` : `did not click ${condition.step}${link}`;
    }
    case "replied":
      return holds ? "replied" : "no reply";
    case "field":
      return describeField(condition.path, condition.op, condition.value, holds);
    case "tag":
      return holds ? `tagged ${condition.tag}` : `not tagged ${condition.tag}`;
    case "event":
      return holds ? condition.event : `no ${condition.event}`;
    case "all":
      return holds
        ? condition.of.map((c) => describeCondition(c)).join(" and ")
        : condition.of.map((c) => describeCondition(c, false)).join(" or ");
    case "any":
      return holds
        ? condition.of.map((c) => describeCondition(c)).join(" or ")
        : condition.of.map((c) => describeCondition(c, false)).join(" and ");
    case "not":
      return describeCondition(condition.of, !holds);
    default: {
      const unknown: never = condition;
      throw new Error(`unhandled condition ${JSON.stringify(unknown)}`);
    }
  }
}

const FIELD_WORDS: Record<FieldOp, [string, string]> = {
  equals: ["is", "is not"],
  not_equals: ["is not", "is"],
  contains: ["contains", "does not contain"],
  exists: ["", ""],
  missing: ["", ""],
  gt: [">", "<="],
  lt: ["<", ">="],
  in: ["in", "not in"],
};

function describeField(
  path: string,
  op: FieldOp,
  value: string | number | boolean | Array<string | number> | undefined,
  holds: boolean,
): string {
  if (op === "exists" || op === "missing") return (op === "exists") === holds ? `has ${path}` : `no ${path}`;
  const shown = Array.isArray(value) ? `[${value.join(", ")}]` : String(value ?? "");
  return `${path} ${FIELD_WORDS[op][holds ? 0 : 1]} ${shown}`;
}

/** "opened intro", "clicked proposal", "webinar.attended". */
export function describeWaitedEvent(step: Step & { kind: "wait_for" }): string {
  const { event, step: about } = step.wait_for;
  if (event === "email.opened" && about) return `opened ${about}`;
  if (event === "email.clicked" && about) return `clicked ${about}`;
  return about ? `${event} on ${about}` : event;
}

/** "missing_field:contact.first_name,contact.title" → "missing contact.first_name, contact.title". */
export function describeHold(reason: string): string {
  const missing = reason.startsWith("missing_field:") ? reason.slice("missing_field:".length) : null;
  return missing === null ? reason : `missing ${missing.split(",").join(", ")}`;
}
