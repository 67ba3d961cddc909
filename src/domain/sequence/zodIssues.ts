// Turns zod's issues into DefinitionErrors a person can act on: an unknown key gets "did you mean",
// a missing key says what it is for, a wrong type says what was written instead.

import { z } from "zod";
import { type DefinitionError, formatPath, type PathSegment } from "./definitionError.ts";
import { describeValue, isRecord, type ProblemParams } from "./problems.ts";
import type { SourceLocator } from "./sourcePositions.ts";
import { ACTION_KEYS } from "./stepSchema.ts";
import { closestWord } from "./suggest.ts";
import { STEP_ACTIONS } from "./vocabulary.ts";

/** What a missing required key is for, shown as the hint. */
const MISSING_KEY_HINTS: Readonly<Record<string, string>> = {
  id: "every sequence and step has an id, e.g. `id: intro`",
  steps: "list what the sequence does, e.g. `steps: [ { id: intro, email: { subject: …, body: … } } ]`",
  body: "the text to send; Liquid merge fields like {{ contact.first_name }} work",
  timeout: 'how long to wait for the event before going on, e.g. "timeout: 3d"',
  event: "the event type, e.g. `event: email.clicked`",
  action: "connect, message or view",
  title: "what the rep should do, e.g. `title: Call about the proposal`",
  url: "e.g. `url: https://example.com/hook`",
  type: "call, linkedin, manual_email or task",
  sequence: "the id of the sequence to enroll them into",
};

/** Words people write for keys that exist under another name. */
const KEY_ALIASES: ReadonlyMap<string, string> = new Map([
  ["then", "goto"],
  ["go_to", "goto"],
  ["when", "if"],
  ["condition", "if"],
  ["default", "else"],
  ["otherwise", "else"],
  ["delay", "wait"],
  ["after", "wait"],
  ["text", "body"],
  ["message", "body"],
  ["content", "body"],
  ["html", "body"],
  ["tz", "timezone"],
  ["time_zone", "timezone"],
  ["zone", "timezone"],
  ["window", "hours"],
  ["weekdays", "days"],
  ["tags", "add_tags"],
  ["tag", "add_tags"],
  ["stage", "deal_stage"],
  ["on_reply", "on_event"],
  ["timeout_after", "timeout"],
  ["steps_ids", "steps"],
  ["exits", "exit"],
  ["stop", "exit"],
  ["stop_on", "exit"],
  ["oncomplete", "on_complete"],
  ["on_completion", "on_complete"],
  ["re_enroll", "reenroll"],
  ["reenrollment", "reenroll"],
]);

export interface IssueContext {
  file: string;
  raw: unknown;
  locator: SourceLocator;
  schema: z.ZodType;
  /** How the value at a path was written, when the text is known. */
  sourceText: (path: readonly PathSegment[]) => string | null;
}

export function errorsOfIssue(issue: z.core.$ZodIssue, ctx: IssueContext): DefinitionError[] {
  const path = issue.path.filter((p): p is PathSegment => typeof p === "string" || typeof p === "number");
  const make = (
    at: readonly PathSegment[],
    message: string,
    hint: string | undefined,
    part: "key" | "value" = "value",
  ) => {
    const { line, column } = ctx.locator.at(at, part);
    const error: DefinitionError = { file: ctx.file, line, column, path: formatPath(at), message };
    if (hint) error.hint = hint;
    return error;
  };
  switch (issue.code) {
    case "custom": {
      const params = (issue.params ?? {}) as ProblemParams;
      if (params.unknownKey !== undefined) {
        return [unknownKeyError(path.slice(0, -1), params.unknownKey, params.allowedKeys ?? [], make)];
      }
      if (params.textLine !== undefined) {
        const { line, column } = ctx.locator.inText(path, params.textLine, params.textColumn ?? 1);
        const error: DefinitionError = {
          file: ctx.file,
          line,
          column,
          path: formatPath(path),
          message: issue.message,
        };
        if (params.hint) error.hint = params.hint;
        return [error];
      }
      return [make(path, issue.message, params.hint, params.at ?? "value")];
    }
    case "unrecognized_keys": {
      const allowed = allowedKeysAt(ctx.schema, path) ?? [];
      return issue.keys.map((key) => unknownKeyError(path, key, allowed, make));
    }
    case "invalid_type": {
      const value = valueAt(ctx.raw, path);
      const key = path[path.length - 1];
      if (value === undefined) {
        const owner = ownerName(path.slice(0, -1));
        const keyName = typeof key === "string" ? `\`${key}\`` : "a value";
        return [
          make(
            path,
            `${owner} needs ${keyName}`,
            typeof key === "string" ? MISSING_KEY_HINTS[key] : undefined,
          ),
        ];
      }
      if (value === null) {
        return [
          make(
            path,
            `${typeof key === "string" ? `\`${key}\`` : "the entry"} is empty`,
            emptyHint(issue.expected),
          ),
        ];
      }
      const written = ctx.sourceText(path);
      const unquotedTemplate = written !== null && /^\{\s*\{/.test(written.trim());
      return [
        make(
          path,
          `expected ${expectedWords(issue.expected)}, got ${describeValue(value)}`,
          unquotedTemplate
            ? 'text that starts with {{ must be quoted in YAML: subject: "{{ contact.first_name }}, …"'
            : shapeHint(issue.expected),
        ),
      ];
    }
    case "too_small":
      if (path.length === 1 && path[0] === "steps") {
        return [make(path, "the sequence has no steps", "add at least one, e.g. an email")];
      }
      return [make(path, "the list is empty", undefined)];
    default:
      return [make(path, issue.message, undefined)];
  }
}

function unknownKeyError(
  owner: readonly PathSegment[],
  key: string,
  allowed: readonly string[],
  make: (
    at: readonly PathSegment[],
    message: string,
    hint: string | undefined,
    part: "key" | "value",
  ) => DefinitionError,
): DefinitionError {
  const where = owner.length === 0 ? "at the top level" : `in ${formatPath(owner)}`;
  return make([...owner, key], `unknown key \`${key}\` ${where}`, unknownKeyHint(owner, key, allowed), "key");
}

function unknownKeyHint(owner: readonly PathSegment[], key: string, allowed: readonly string[]): string {
  const near =
    closestWord(key.toLowerCase(), allowed) ??
    (allowed.includes(key.toLowerCase()) ? key.toLowerCase() : null);
  if (near) return `did you mean \`${near}\`?`;
  const alias = KEY_ALIASES.get(key.toLowerCase());
  if (alias && allowed.includes(alias)) return `did you mean \`${alias}\`?`;
  // A step with `subject:` at its top: the author forgot to nest it under the action.
  const isStep = owner.length === 2 && owner[0] === "steps" && typeof owner[1] === "number";
  if (isStep) {
    const actions = STEP_ACTIONS.filter((action) => ACTION_KEYS[action].includes(key));
    if (actions.length > 0) {
      return `\`${key}\` belongs inside the step's action, e.g. \`${actions[0]}: { ${key}: … }\``;
    }
  }
  return allowed.length > 0 ? `expected one of ${allowed.map((k) => `\`${k}\``).join(", ")}` : "remove it";
}

function ownerName(owner: readonly PathSegment[]): string {
  if (owner.length === 0) return "the sequence";
  const last = owner[owner.length - 1];
  if (owner.length === 2 && owner[0] === "steps") return "each step";
  if (typeof last === "number") return `${formatPath(owner)}`;
  return `\`${last}\``;
}

function expectedWords(expected: string): string {
  switch (expected) {
    case "object":
      return "a mapping of keys and values";
    case "array":
      return "a list";
    case "string":
      return "text";
    case "boolean":
      return "true or false";
    default:
      return expected;
  }
}

function shapeHint(expected: string): string | undefined {
  if (expected === "array") return "write one entry per line, each starting with `- `";
  if (expected === "object") return "write `key: value` pairs indented under it, or { key: value }";
  return undefined;
}

function emptyHint(expected: string): string | undefined {
  if (expected === "object") return "write its keys indented below it, or remove the line";
  if (expected === "array") return "list entries below it, each starting with `- `, or remove the line";
  return "give it a value or remove the line";
}

function valueAt(raw: unknown, path: readonly PathSegment[]): unknown {
  let current = raw;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === "number") current = current[segment];
    else if (isRecord(current) && typeof segment === "string") current = current[segment];
    else return undefined;
  }
  return current;
}

/** The keys the schema allows for the object at `path`, for "did you mean" on unknown keys. */
export function allowedKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] | null {
  let current: unknown = schema;
  for (const segment of path) {
    current = unwrap(current);
    if (current instanceof z.ZodObject && typeof segment === "string") current = current.shape[segment];
    else if (current instanceof z.ZodArray && typeof segment === "number") current = current.element;
    else return null;
  }
  current = unwrap(current);
  return current instanceof z.ZodObject ? Object.keys(current.shape) : null;
}

function unwrap(schema: unknown): unknown {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap();
    else if (current instanceof z.ZodPipe) current = current.in;
    else return current;
  }
}
