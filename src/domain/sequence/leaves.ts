// Readers for the single values of a sequence file (text, ids, step references, waits, windows,
// templates, URLs), each with the message and hint a person needs to fix a wrong one.

import { templateFields, unknownFields } from "../template/index.ts";
import { parseDayWindow, parseDelay } from "../time/index.ts";
import type { DayWindow, Delay, StepKind } from "./definition.ts";
import { describeValue, INVALID, isRecord, type Problems, type Read } from "./problems.ts";
import { closestWord } from "./suggest.ts";
import { END_TARGET, MAX_ID_LENGTH, SEQUENCE_ID, STEP_ID, slugOf } from "./vocabulary.ts";

/** What readers need to know about the whole file before reading any one value. */
export interface ReadingContext {
  /** Every step id written in the file, with its position in `steps` and what the step does. */
  steps: ReadonlyMap<string, { index: number; kind: StepKind | null }>;
  /** `schedule.waits: business`: plain days ("3d") count business days. */
  businessWaits: boolean;
}

export function readText(value: unknown, problems: Problems, what = "text"): Read<string> {
  // YAML reads `subject: 2025` as a number; the author meant the text.
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") {
    return problems.add(`expected ${what}, got ${describeValue(value)}`, {
      hint: looksLikeUnquotedTemplate(value)
        ? 'text that starts with {{ must be quoted: "{{ contact.first_name }} …"'
        : undefined,
    });
  }
  return value;
}

/** YAML reads an unquoted `{{ contact.first_name }}` as a mapping whose key is `{ contact.first_name }`. */
function looksLikeUnquotedTemplate(value: unknown): boolean {
  return isRecord(value) && Object.keys(value).some((key) => key.startsWith("{"));
}

export function readNonEmptyText(value: unknown, problems: Problems, what = "text"): Read<string> {
  const text = readText(value, problems, what);
  if (text === INVALID) return INVALID;
  if (text.trim() === "")
    return problems.add(`${what === "text" ? "the text" : what.replace(/^an? /, "the ")} is empty`);
  return text.trim();
}

export function readBoolean(value: unknown, problems: Problems): Read<boolean> {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(yes|no|on|off)$/i.test(value.trim())) {
    const meant = /^(yes|on)$/i.test(value.trim());
    return problems.add(`expected true or false, got "${value}"`, { hint: `write ${meant}` });
  }
  return problems.add(`expected true or false, got ${describeValue(value)}`);
}

/** A list, or a single item standing for a list of one (`add_tags: hot`). */
export function readList<T>(
  value: unknown,
  problems: Problems,
  item: (value: unknown, problems: Problems) => Read<T>,
): Read<T[]> {
  const items = Array.isArray(value) ? value : [value];
  const out: T[] = [];
  let failed = false;
  items.forEach((entry, i) => {
    const read = item(entry, Array.isArray(value) ? problems.under(i) : problems);
    if (read === INVALID) failed = true;
    else out.push(read);
  });
  return failed ? INVALID : out;
}

export function readName(value: unknown, problems: Problems, what: string): Read<string> {
  const text = readNonEmptyText(value, problems, what);
  if (text === INVALID) return INVALID;
  if (/\s/.test(text))
    return problems.add(`${what} "${text}" contains a space`, { hint: `write "${slugOf(text)}"` });
  return text;
}

export function readSequenceId(value: unknown, problems: Problems): Read<string> {
  const text = readNonEmptyText(value, problems, "a sequence id");
  if (text === INVALID) return INVALID;
  if (text.length > MAX_ID_LENGTH) return problems.add(`the id is longer than ${MAX_ID_LENGTH} characters`);
  if (!SEQUENCE_ID.test(text)) {
    const slug = slugOf(text);
    return problems.add(`"${text}" is not a valid sequence id`, {
      hint: `use lower-case letters, digits and dashes${slug ? `, e.g. "${slug}"` : ""}`,
    });
  }
  return text;
}

export function readStepId(value: unknown, problems: Problems): Read<string> {
  const text = readNonEmptyText(value, problems, "a step id");
  if (text === INVALID) return INVALID;
  if (text === END_TARGET) {
    return problems.add(`"${END_TARGET}" cannot be a step id: \`next: end\` means "finish the sequence"`, {
      hint: 'pick another id, e.g. "final-email"',
    });
  }
  if (text.length > MAX_ID_LENGTH)
    return problems.add(`the step id is longer than ${MAX_ID_LENGTH} characters`);
  if (!STEP_ID.test(text)) {
    const slug = slugOf(text);
    return problems.add(`"${text}" is not a valid step id`, {
      hint: `use letters, digits, "-" and "_"${slug ? `, e.g. "${slug}"` : ""}`,
    });
  }
  return text;
}

function missingStep(id: string, ctx: ReadingContext, problems: Problems, orEnd = false): typeof INVALID {
  const ids = [...ctx.steps.keys()];
  const near = closestWord(id, ids) ?? closestWord(id.toLowerCase(), ids);
  const known = `step ids are ${listOf(ids)}${orEnd ? `, or \`${END_TARGET}\` to finish the sequence` : ""}`;
  return problems.add(`there is no step "${id}"`, { hint: near ? `did you mean "${near}"?` : known });
}

/** A `goto`, `next`, `on_event` or `on_timeout`: a step id of this file, or `end`. */
export function readTarget(value: unknown, problems: Problems, ctx: ReadingContext): Read<string> {
  const text = readNonEmptyText(value, problems, "a step id");
  if (text === INVALID) return INVALID;
  if (text.toLowerCase() === END_TARGET) return END_TARGET;
  if (!ctx.steps.has(text)) return missingStep(text, ctx, problems, true);
  return text;
}

/** A step that sent something (`opened: intro`, `wait_for.step`), which must be of one of `kinds`. */
export function readStepOf(
  value: unknown,
  problems: Problems,
  ctx: ReadingContext,
  kinds: readonly StepKind[],
  why: string,
): Read<string> {
  const text = readNonEmptyText(value, problems, "a step id");
  if (text === INVALID) return INVALID;
  const step = ctx.steps.get(text);
  if (!step) return missingStep(text, ctx, problems);
  if (step.kind !== null && !kinds.includes(step.kind)) {
    const candidates = [...ctx.steps]
      .filter(([, s]) => s.kind !== null && kinds.includes(s.kind))
      .map(([id]) => id);
    return problems.add(`step "${text}" is ${article(step.kind)} step; ${why}`, {
      hint: candidates.length > 0 ? `${kinds.join(" or ")} steps are ${listOf(candidates)}` : undefined,
    });
  }
  return text;
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

export function listOf(words: readonly string[]): string {
  const quoted = words.slice(0, 8).map((w) => `"${w}"`);
  if (words.length > 8) quoted.push("…");
  return quoted.join(", ") || "(none)";
}

export function readDelay(value: unknown, problems: Problems, business: boolean): Read<Delay> {
  if (typeof value !== "string" && typeof value !== "number") {
    return problems.add(`expected a wait like "3d" or "2 business days", got ${describeValue(value)}`);
  }
  const parsed = parseDelay(value, { business });
  if (!parsed.ok) return problems.add(parsed.message, hintOf(parsed.hint));
  return parsed.delay;
}

export function readWindow(value: unknown, problems: Problems): Read<DayWindow> {
  if (typeof value !== "string") {
    return problems.add(`expected a time window like "09:00-17:00", got ${describeValue(value)}`, {
      hint: typeof value === "number" ? 'quote it and give start and end, e.g. "09:00-17:00"' : undefined,
    });
  }
  const text = value.trim().toLowerCase();
  if (text === "all day" || text === "any time" || text === "anytime")
    return { startMinute: 0, endMinute: 24 * 60 };
  const parsed = parseDayWindow(value);
  if (!parsed.ok) return problems.add(parsed.message, hintOf(parsed.hint));
  return parsed.window;
}

function hintOf(hint: string | undefined): { hint?: string } {
  return hint === undefined ? {} : { hint };
}

/**
 * A Liquid template. A syntax error points at its own line and column inside the text; so does
 * a merge field that no contact has (a typo), found where it is first written.
 */
export function readTemplate(value: unknown, problems: Problems, what = "text"): Read<string> {
  const source = readText(value, problems, what);
  if (source === INVALID) return INVALID;
  const analysis = templateFields(source);
  if (!analysis.ok) {
    // liquidjs quotes the broken tag with its line breaks; one line reads better in a terminal.
    const message = analysis.message.replace(/\\n/g, " ").replace(/\s+/g, " ").trim();
    return problems.add(`template error: ${message}`, {
      ...(analysis.line !== undefined ? { textLine: analysis.line, textColumn: analysis.column ?? 1 } : {}),
    });
  }
  const unknown = unknownFields(source);
  for (const field of unknown) {
    const at = textPositionOf(source, field.path);
    problems.add(field.message, {
      ...hintOf(field.hint),
      ...(at ? { textLine: at.line, textColumn: at.column } : {}),
    });
  }
  return unknown.length > 0 ? INVALID : source;
}

/** Where `needle` is first written inside a `{{ }}` or `{% %}` of `source`, 1-based. */
function textPositionOf(source: string, needle: string): { line: number; column: number } | null {
  const tags = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
  for (let match = tags.exec(source); match !== null; match = tags.exec(source)) {
    const inside = match[0].indexOf(needle);
    if (inside < 0) continue;
    const offset = match.index + inside;
    const before = source.slice(0, offset);
    const line = before.split("\n").length;
    return { line, column: offset - before.lastIndexOf("\n") };
  }
  return null;
}

export function readUrl(value: unknown, problems: Problems): Read<string> {
  const text = readNonEmptyText(value, problems, "a URL");
  if (text === INVALID) return INVALID;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return problems.add(`"${text}" is not a URL`, {
      hint: /^[\w.-]+\.[a-z]{2,}/i.test(text)
        ? `write the scheme too: "https://${text}"`
        : 'e.g. "https://example.com/hook"',
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return problems.add(`"${text}" is not an http(s) URL`, { hint: 'e.g. "https://example.com/hook"' });
  }
  return text;
}

/** One of a fixed set of words, matched without regard to case, with a suggestion for typos. */
export function readChoice<T extends string>(
  value: unknown,
  problems: Problems,
  choices: readonly T[],
  what: string,
): Read<T> {
  if (typeof value !== "string") {
    return problems.add(`expected ${what} (${choices.join(", ")}), got ${describeValue(value)}`);
  }
  const text = value.trim().toLowerCase();
  const found = choices.find((c) => c.toLowerCase() === text);
  if (found !== undefined) return found;
  const near = closestWord(
    text,
    choices.map((c) => c.toLowerCase()),
  );
  return problems.add(`"${value}" is not ${what}`, {
    hint: near
      ? `did you mean "${choices.find((c) => c.toLowerCase() === near)}"?`
      : `use one of ${choices.join(", ")}`,
  });
}

/** An event type such as `email.clicked` or `form.submitted`. */
export function readEventName(value: unknown, problems: Problems): Read<string> {
  const text = readNonEmptyText(value, problems, "an event name");
  if (text === INVALID) return INVALID;
  if (/\s/.test(text)) {
    return problems.add(`"${text}" is not an event name`, {
      hint: `event names have no spaces, e.g. "form.submitted" or "${slugOf(text).replace(/-/g, "_")}"`,
    });
  }
  return text;
}
