// Whether an event's data satisfies a `where` match (triggers, exits, wait_for, branches):
// every key is a dotted path into the data and every condition must hold.

import type { Match, MatchValue, Trigger } from "../sequence/definition.ts";

export function valueAt(data: Record<string, unknown>, path: string): unknown {
  let current: unknown = data;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function matchesValue(actual: unknown, expected: MatchValue): boolean {
  if (typeof expected !== "object" || expected === null) return looselyEqual(actual, expected);
  if ("equals" in expected) return looselyEqual(actual, expected.equals);
  if ("in" in expected) return expected.in.some((v) => looselyEqual(actual, v));
  if ("contains" in expected) {
    return typeof actual === "string" && actual.toLowerCase().includes(expected.contains.toLowerCase());
  }
  if ("matches" in expected) {
    try {
      return typeof actual === "string" && new RegExp(expected.matches, "i").test(actual);
    } catch {
      return false;
    }
  }
  if ("gte" in expected) return toNumber(actual) !== null && (toNumber(actual) ?? 0) >= expected.gte;
  if ("lte" in expected) return toNumber(actual) !== null && (toNumber(actual) ?? 0) <= expected.lte;
  return false;
}

function toNumber(value: unknown): number | null {
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && value.trim() !== ""
        ? Number(value)
        : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

/** Case-insensitive for strings; numbers and numeric strings compare as numbers. */
function looselyEqual(actual: unknown, expected: string | number | boolean): boolean {
  if (typeof expected === "string" && typeof actual === "string")
    return actual.toLowerCase() === expected.toLowerCase();
  if (typeof expected === "number") return toNumber(actual) === expected;
  if (typeof expected === "boolean") return actual === expected || String(actual) === String(expected);
  return String(actual) === String(expected);
}

export function matchesWhere(where: Match | undefined, data: Record<string, unknown>): boolean {
  if (!where) return true;
  return Object.entries(where).every(([path, expected]) => matchesValue(valueAt(data, path), expected));
}

export function triggerMatches(
  trigger: Trigger,
  event: { type: string; data: Record<string, unknown> },
): boolean {
  return trigger.event === event.type && matchesWhere(trigger.where, event.data);
}
