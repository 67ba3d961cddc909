// What a sequence file did wrong (or may have done wrong), located by file, line and column and
// by the path to the offending value, and how the CLI prints it on one line.

/** A key of a mapping or an index into a list, from the document's root to a value. */
export type PathSegment = string | number;

/**
 * A mistake that stops the definition from being saved. `line` and `column` are 1-based; both are
 * 0 when the definition did not come from a text file (JSON sent to the API).
 */
export interface DefinitionError {
  file: string;
  line: number;
  column: number;
  /** Where in the definition, e.g. `steps[2].wait`; empty for the file as a whole. */
  path: string;
  message: string;
  hint?: string;
}

/** Something that works but is probably not what the author wants (long SMS, salesy subject…). */
export interface DefinitionWarning extends DefinitionError {
  /** A stable name for the kind of warning, e.g. `sms_segments`, `body_length`. */
  code: string;
}

/** `steps[2].email.subject`; keys that are not plain names are quoted: `set["fields.score"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function located(e: DefinitionError): string {
  const where = e.line > 0 ? `${e.file}:${e.line}:${e.column}` : e.file;
  return e.path === "" ? where : `${where} ${e.path}`;
}

/**
 * One line, compiler style:
 * `inbound-demo.yaml:14:11 steps[2].wait: "2 bussiness days" is not a duration; did you mean "2 business days"?`
 */
export function formatDefinitionError(e: DefinitionError): string {
  return `${located(e)}: ${e.message}${e.hint ? `; ${e.hint}` : ""}`;
}

/** Like an error, marked so a reader can tell the two apart in one stream of output. */
export function formatDefinitionWarning(w: DefinitionWarning): string {
  return `${located(w)}: warning: ${w.message}${w.hint ? `; ${w.hint}` : ""}`;
}

/** File order, so the CLI lists problems the way an editor would walk them. */
export function bySourcePosition<T extends DefinitionError>(a: T, b: T): number {
  return a.line - b.line || a.column - b.column;
}
