// Reads a sequence definition from YAML or JSON text (or an already-parsed JSON value) and
// validates all of it, returning every mistake with its line, column and path, or the definition.

import { isCollection, isPair, LineCounter, parseDocument, type YAMLError } from "yaml";
import type { SequenceDefinition, StepKind } from "./definition.ts";
import { definitionChecks } from "./definitionChecks.ts";
import {
  bySourcePosition,
  type DefinitionError,
  type DefinitionWarning,
  formatPath,
  type PathSegment,
} from "./definitionError.ts";
import { type GraphFinding, graphChecks } from "./graphChecks.ts";
import type { ReadingContext } from "./leaves.ts";
import { isRecord } from "./problems.ts";
import { sequenceSchema } from "./rawSchema.ts";
import { NO_POSITIONS, type SourceLocator, sourceTextAt, yamlLocator } from "./sourcePositions.ts";
import { actionOf } from "./stepSchema.ts";
import { errorsOfIssue } from "./zodIssues.ts";

export type { DefinitionError, DefinitionWarning } from "./definitionError.ts";
export { formatDefinitionError, formatDefinitionWarning } from "./definitionError.ts";

export type ParseSequenceResult =
  | { ok: true; definition: SequenceDefinition; warnings: DefinitionWarning[] }
  | { ok: false; errors: DefinitionError[]; warnings: DefinitionWarning[] };

/** Files larger than this are not sequences; refusing them keeps a pasted log from stalling the parser. */
export const MAX_SEQUENCE_CHARS = 1_000_000;

/**
 * Parses a YAML or JSON sequence file (JSON is YAML, so one parser serves both and keeps
 * positions). Never throws on bad input: every problem comes back as an error.
 */
export function parseSequence(text: string, file: string): ParseSequenceResult {
  if (text.length > MAX_SEQUENCE_CHARS) {
    return failed([
      {
        file,
        line: 1,
        column: 1,
        path: "",
        message: `the file is ${text.length} characters; a sequence is at most ${MAX_SEQUENCE_CHARS}`,
      },
    ]);
  }
  if (text.trim() === "") {
    return failed([
      {
        file,
        line: 1,
        column: 1,
        path: "",
        message: "the file is empty",
        hint: "start with `id:`, `name:` and `steps:`; see docs/sequences.md",
      },
    ]);
  }
  const lines = new LineCounter();
  // logLevel "error": yaml would otherwise print warnings to the process's stderr itself.
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
    logLevel: "error",
  });
  const locator = yamlLocator(doc, text, lines);
  const at = (offset: number) => {
    const { line, col } = lines.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line, column: col };
  };
  const yamlErrors = doc.errors.map((e) => yamlError(e, file, text, at));
  const yamlWarnings: DefinitionWarning[] = doc.warnings.map((w) => ({
    ...yamlError(w, file, text, at),
    code: "yaml",
  }));
  // Only a repeated key leaves the rest of the tree trustworthy; other syntax errors would
  // make every later message about a structure the author did not write.
  if (doc.errors.some((e) => e.code !== "DUPLICATE_KEY")) return failed(yamlErrors, yamlWarnings);

  const tooDeep = deepestNode(doc.contents);
  if (tooDeep !== null) {
    const { line, column } = at(tooDeep);
    return failed([...yamlErrors, tooDeepError(file, line, column)], yamlWarnings);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // yaml throws for alias bombs and circular aliases: input errors, not bugs.
    return failed(
      [
        ...yamlErrors,
        {
          file,
          line: 1,
          column: 1,
          path: "",
          message: `the YAML cannot be read: ${(error as Error).message}`,
        },
      ],
      yamlWarnings,
    );
  }
  const result = validate(raw, file, locator, (path) => sourceTextAt(doc, text, path));
  return mergeYaml(result, yamlErrors, yamlWarnings);
}

/**
 * Validates a definition that is already a value (the API's JSON body). Same checks as
 * `parseSequence`; positions are 0 because there is no text to point into.
 */
export function parseSequenceJson(value: unknown, file = "definition"): ParseSequenceResult {
  return validate(value, file, NO_POSITIONS, () => null);
}

function validate(
  raw: unknown,
  file: string,
  locator: SourceLocator,
  sourceText: (path: readonly PathSegment[]) => string | null,
): ParseSequenceResult {
  // Aliases can stack shallow anchors into a deep value; readers recurse, so bound it here too.
  if (valueDepthExceeds(raw, MAX_NESTING)) {
    const { line, column } = locator.at([]);
    return failed([tooDeepError(file, line, column)]);
  }
  if (!isRecord(raw)) {
    const { line, column } = locator.at([]);
    return failed([
      {
        file,
        line,
        column,
        path: "",
        message:
          raw === null || raw === undefined
            ? "the file has no keys"
            : "a sequence file is a mapping of keys, not a single value or a list",
        hint: "start with `id:`, `name:` and `steps:`; see docs/sequences.md",
      },
    ]);
  }
  const { context, errors: contextErrors } = readingContext(raw, file, locator);
  const schema = sequenceSchema(context);
  const parsed = schema.safeParse(raw);
  const toError = (f: GraphFinding): DefinitionError => {
    const { line, column } = locator.at(f.path, f.at ?? "value");
    return {
      file,
      line,
      column,
      path: formatPath(f.path),
      message: f.message,
      ...(f.hint ? { hint: f.hint } : {}),
    };
  };
  if (!parsed.success || contextErrors.length > 0) {
    const issueErrors = parsed.success
      ? []
      : parsed.error.issues.flatMap((issue) =>
          errorsOfIssue(issue, { file, raw, locator, schema, sourceText }),
        );
    return failed([...contextErrors, ...issueErrors]);
  }
  const definition = parsed.data;
  definition.steps.forEach((step, i) => {
    const { line } = locator.at(["steps", i]);
    if (line > 0) step.line = line;
  });
  const findings = [...graphChecks(definition), ...definitionChecks(definition)];
  const errors = findings.filter((f) => f.severity === "error").map(toError);
  const warnings = findings
    .filter((f) => f.severity === "warning")
    .map((f): DefinitionWarning => ({ ...toError(f), code: f.code }))
    .sort(bySourcePosition);
  if (errors.length > 0) return failed(errors, warnings);
  return { ok: true, definition, warnings };
}

/**
 * What every reader needs before reading: the step ids (so references to a step that has
 * mistakes of its own still resolve) and whether plain days are business days. Repeated step
 * ids are reported here, once per repeat.
 */
function readingContext(
  raw: Record<string, unknown>,
  file: string,
  locator: SourceLocator,
): { context: ReadingContext; errors: DefinitionError[] } {
  const steps = new Map<string, { index: number; kind: StepKind | null }>();
  const errors: DefinitionError[] = [];
  if (Array.isArray(raw.steps)) {
    raw.steps.forEach((step, index) => {
      if (!isRecord(step)) return;
      // Read like the step reader does: `id: 2` is the id "2".
      const written = typeof step.id === "number" && Number.isFinite(step.id) ? String(step.id) : step.id;
      if (typeof written !== "string" || written.trim() === "") return;
      const id = written.trim();
      const first = steps.get(id);
      if (first !== undefined) {
        const { line, column } = locator.at(["steps", index, "id"]);
        const firstLine = locator.at(["steps", first.index, "id"]).line;
        errors.push({
          file,
          line,
          column,
          path: formatPath(["steps", index, "id"]),
          message: `duplicate step id "${id}" (first at steps[${first.index}]${firstLine > 0 ? `, line ${firstLine}` : ""})`,
          hint: "give each step its own id: goto, next and reports refer to steps by id",
        });
        return;
      }
      steps.set(id, { index, kind: actionOf(step) });
    });
  }
  const schedule = raw.schedule;
  const businessWaits =
    isRecord(schedule) &&
    typeof schedule.waits === "string" &&
    schedule.waits.trim().toLowerCase() === "business";
  return { context: { steps, businessWaits }, errors };
}

/** Far deeper than any sequence needs, far shallower than what would exhaust the stack. */
export const MAX_NESTING = 64;

function tooDeepError(file: string, line: number, column: number): DefinitionError {
  return {
    file,
    line,
    column,
    path: "",
    message: `the definition is nested more than ${MAX_NESTING} levels deep`,
    hint: "a sequence needs a handful of levels; check for a runaway bracket or indentation",
  };
}

/** The offset of a node nested deeper than MAX_NESTING, found without recursion; null if none. */
function deepestNode(root: unknown): number | null {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isPair(node)) {
      stack.push({ node: node.key, depth }, { node: node.value, depth });
      continue;
    }
    if (!isCollection(node)) continue;
    if (depth >= MAX_NESTING) return node.range?.[0] ?? 0;
    for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
  }
  return null;
}

function valueDepthExceeds(root: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  // An aliased value is one object reached along many paths: revisit it only when reached deeper.
  const deepestVisit = new Map<object, number>();
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth > limit) return true;
    if ((deepestVisit.get(value) ?? -1) >= depth) continue;
    deepestVisit.set(value, depth);
    for (const child of Object.values(value)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

function failed(errors: DefinitionError[], warnings: DefinitionWarning[] = []): ParseSequenceResult {
  return { ok: false, errors: dedupe(errors).sort(bySourcePosition), warnings };
}

function dedupe(errors: DefinitionError[]): DefinitionError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.line}:${e.column}:${e.path}:${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function mergeYaml(
  result: ParseSequenceResult,
  yamlErrors: DefinitionError[],
  yamlWarnings: DefinitionWarning[],
): ParseSequenceResult {
  if (yamlErrors.length === 0 && yamlWarnings.length === 0) return result;
  const warnings = [...yamlWarnings, ...result.warnings].sort(bySourcePosition);
  if (result.ok && yamlErrors.length === 0) return { ...result, warnings };
  return failed([...yamlErrors, ...(result.ok ? [] : result.errors)], warnings);
}

const YAML_HINTS: Readonly<Record<string, string>> = {
  TAB_AS_INDENT: "indent with spaces; YAML does not allow tabs there",
  BAD_INDENT: "line it up with the keys it belongs with (two spaces per level)",
  MULTIPLE_DOCS: "put one sequence in each file",
  BLOCK_AS_IMPLICIT_KEY: "a key and its value go on one line: `key: value`",
  MISSING_CHAR: "a quote or bracket is not closed",
  MULTILINE_IMPLICIT_KEY: "a key must fit on one line; quote text that contains `: `",
  UNEXPECTED_TOKEN: "text with `: ` or ` #` inside needs quotes",
};

function yamlError(
  e: YAMLError,
  file: string,
  text: string,
  at: (offset: number) => { line: number; column: number },
): DefinitionError {
  const { line, column } = at(e.pos[0]);
  let message = e.message.split("\n")[0] ?? e.message;
  if (e.code === "DUPLICATE_KEY") {
    const key = /^("[^"\n]*"|'[^'\n]*'|[^:\n]*)/.exec(text.slice(e.pos[0]))?.[1]?.trim();
    message = key
      ? `the key \`${key}\` appears twice in the same mapping`
      : "a key appears twice in the same mapping";
  } else if (/call stack/i.test(message)) {
    message = "the YAML is nested too deeply to read";
  } else if (e.code === "MULTIPLE_DOCS") {
    message = "the file holds more than one YAML document (a `---` line)";
  }
  const hint =
    e.code === "DUPLICATE_KEY" ? "keep one: YAML would silently use only the last" : YAML_HINTS[e.code];
  return { file, line, column, path: "", message, ...(hint ? { hint } : {}) };
}
