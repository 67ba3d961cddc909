// How readers inside the zod schema report a mistake: a zod custom issue whose path is relative to
// the value being read (zod prefixes the rest) and whose params carry the hint and position details.

import { z } from "zod";
import type { PathSegment } from "./definitionError.ts";

/** What a reader returns when the value is wrong; the reason has already been reported. */
export const INVALID: unique symbol = Symbol("invalid");
export type Read<T> = T | typeof INVALID;

export interface ProblemDetail {
  /** Below the value being read, e.g. `["where", "url"]`. */
  path?: readonly PathSegment[];
  hint?: string;
  /** Point at the key rather than its value (unknown or misplaced keys). */
  at?: "key";
  /** A position inside the string value itself (a template's syntax error), 1-based. */
  textLine?: number;
  textColumn?: number;
}

/** Extra facts a custom issue carries to `zodIssues.ts`, which turns it into a DefinitionError. */
export interface ProblemParams {
  hint?: string;
  at?: "key";
  textLine?: number;
  textColumn?: number;
  /** An unknown key: the message is written later, when the full path is known. */
  unknownKey?: string;
  allowedKeys?: readonly string[];
}

export interface Problems {
  add(message: string, detail?: ProblemDetail): typeof INVALID;
  /** A key the reader does not know, at `path`'s object; suggestions are made from `allowed`. */
  unknownKey(key: string, allowed: readonly string[], path?: readonly PathSegment[]): typeof INVALID;
  /** The same reporter for a value below this one. */
  under(...path: PathSegment[]): Problems;
  /** How many problems this reporter and those made from it have added. */
  readonly count: number;
}

interface IssueSink {
  issues: z.core.$ZodRawIssue[];
}

export function problemsOf(sink: IssueSink, input: unknown): Problems {
  const counter = { count: 0 };
  return scoped(sink, input, [], counter);
}

function scoped(
  sink: IssueSink,
  input: unknown,
  prefix: readonly PathSegment[],
  counter: { count: number },
): Problems {
  const push = (message: string, path: readonly PathSegment[], params: ProblemParams): typeof INVALID => {
    counter.count++;
    sink.issues.push({ code: "custom", message, input, path: [...prefix, ...path], params });
    return INVALID;
  };
  return {
    add(message, detail = {}) {
      const params: ProblemParams = {};
      if (detail.hint !== undefined) params.hint = detail.hint;
      if (detail.at !== undefined) params.at = detail.at;
      if (detail.textLine !== undefined) params.textLine = detail.textLine;
      if (detail.textColumn !== undefined) params.textColumn = detail.textColumn;
      return push(message, detail.path ?? [], params);
    },
    unknownKey(key, allowed, path = []) {
      return push(`unknown key \`${key}\``, [...path, key], {
        unknownKey: key,
        allowedKeys: allowed,
        at: "key",
      });
    },
    under(...path) {
      return scoped(sink, input, [...prefix, ...path], counter);
    },
    get count() {
      return counter.count;
    },
  };
}

/**
 * A schema that hands the raw value to a hand-written reader. Readers own their messages, so
 * a wrong value reads "is not a duration" rather than zod's generic "invalid input". A missing
 * required key never reaches the reader: zod reports it and `zodIssues.ts` words it.
 */
export function reader<T>(read: (value: unknown, problems: Problems) => Read<T>) {
  return z.unknown().transform((value, ctx): T => {
    if (value === undefined) return z.NEVER;
    const problems = problemsOf(ctx, value);
    const out = read(value, problems);
    if (out === INVALID) {
      if (problems.count === 0) throw new Error("a sequence reader rejected a value without saying why");
      return z.NEVER;
    }
    return out;
  });
}

/** What a value is, in the words of an error message ("a list", "text \"hi\""). */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return value.length > 40 ? `text "${value.slice(0, 37)}…"` : `text "${value}"`;
    case "number":
      return `the number ${value}`;
    case "boolean":
      return `\`${value}\``;
    case "object":
      return "a mapping";
    default:
      return typeof value;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Sets a key the author wrote. Plain assignment of `__proto__` would change the object's
 * prototype instead of adding a key; defining the property keeps it an ordinary key.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
