// Static analysis of a template's merge fields with liquidjs's own parser and variable analysis:
// which context paths it reads, and which of those need a value for the copy to make sense.

import {
  type Arguments,
  analyzeSync,
  CaseTag,
  ForTag,
  IfTag,
  type Liquid,
  TablerowTag,
  type Template,
  TypeGuards,
  toValueSync,
  UnlessTag,
  Value,
  type ValueToken,
  Variable,
} from "liquidjs";
import {
  createTemplateEngine,
  MEMO_MAX_SOURCE_CHARS,
  parseTemplate,
  type TemplateSyntaxError,
} from "./liquidEngine.ts";
import { leafDepth, VALUE_PROPERTIES } from "./mergeFields.ts";

/** One context path a template reads, at one place in the source. */
export interface FieldRef {
  /** Dotted display path, e.g. `contact.first_name`, `contact.fields['Lead Source']`. */
  path: string;
  segments: FieldSegment[];
  line: number;
  column: number;
}

/** A nested reference (`contact.fields[key]`); null when `key` is a template-local name. */
export type FieldSegment = string | number | { ref: FieldRef | null };

/** A reference and whether the template copes without its value. */
export interface FieldUse {
  ref: FieldRef;
  /** A `default` filter covers it, it is only tested in a condition, or a condition guards it. */
  guarded: boolean;
}

export interface FieldAnalysis {
  /** Every read of a context (global) path, in source order. */
  uses: FieldUse[];
  /**
   * What must have a value for the template to render without a blank: each group is satisfied
   * when any one of its paths has a value (`{{ a | default: b }}` needs a or b).
   */
  requirements: FieldRef[][];
}

export type TemplateFieldsResult =
  | { ok: true; fields: Array<{ path: string; hasDefault: boolean }> }
  | { ok: false; message: string; line?: number; column?: number };

/** The engine analysis parses with: no output escaping, so filters are exactly as written. */
export const plainEngine: Liquid = createTemplateEngine();

/**
 * The merge fields `source` reads, each once, in order of first use. `hasDefault` is true when
 * the template never needs the field's value: every use has a `default` filter, sits in a
 * condition (`{% if contact.title %}`), or is inside a branch that tested it. A Liquid syntax
 * error comes back with its 1-based line and column.
 */
export function templateFields(source: string): TemplateFieldsResult {
  const analysis = analyseTemplate(source);
  if (!analysis.ok) return { ok: false, ...analysis.error };
  const byPath = new Map<string, { path: string; hasDefault: boolean }>();
  for (const use of analysis.uses) {
    const known = byPath.get(use.ref.path);
    if (known) known.hasDefault &&= use.guarded;
    else byPath.set(use.ref.path, { path: use.ref.path, hasDefault: use.guarded });
  }
  return { ok: true, fields: [...byPath.values()] };
}

const ANALYSIS_MEMO_SIZE = 500;
const analysisMemo = new Map<string, FieldAnalysis>();

export function analyseTemplate(
  source: string,
): { ok: true; uses: FieldUse[]; requirements: FieldRef[][] } | { ok: false; error: TemplateSyntaxError } {
  const parsed = parseTemplate(plainEngine, source);
  if (!parsed.ok) return parsed;
  let analysis = analysisMemo.get(source);
  if (!analysis) {
    analysis = analyseParsed(parsed.templates);
    if (source.length > MEMO_MAX_SOURCE_CHARS) return { ok: true, ...analysis };
    if (analysisMemo.size >= ANALYSIS_MEMO_SIZE) {
      const oldest = analysisMemo.keys().next();
      if (!oldest.done) analysisMemo.delete(oldest.value);
    }
    analysisMemo.set(source, analysis);
  }
  return { ok: true, ...analysis };
}

/** A reference found while walking, before we know whether it reads the context or a local. */
interface Occurrence {
  variable: Variable;
  guarded: boolean;
}

/**
 * liquidjs's analysis knows scope (what `assign`, `capture` and `for` make local) but not
 * filters or conditions; our walk knows those. Both see the same token positions, so a global
 * found by liquidjs is matched with the walk's verdict by its position.
 */
function analyseParsed(templates: Template[]): FieldAnalysis {
  const globals = new Map<string, Variable>();
  for (const variables of Object.values(analyzeSync(templates, { partials: false }).globals)) {
    for (const variable of variables) globals.set(occurrenceKey(variable), variable);
  }
  const walk = new ConditionWalk(globals);
  walk.templates(templates, new Set());

  const uses: FieldUse[] = [];
  for (const { variable, guarded } of walk.occurrences.values()) {
    if (globals.has(occurrenceKey(variable))) uses.push({ ref: walk.refOf(variable), guarded });
  }
  uses.sort((a, b) => a.ref.line - b.ref.line || a.ref.column - b.ref.column);
  return { uses, requirements: walk.requirements };
}

function occurrenceKey(variable: Variable): string {
  return `${variable.location.row}:${variable.location.col}:${String(variable)}`;
}

/** Every variable liquidjs sees in some arguments, nested lookups included. */
function variablesIn(args: Array<Value | ValueToken>, token: Template["token"]): Variable[] {
  const probe: Template = { token, render: () => undefined, arguments: (): Arguments => args };
  return Object.values(analyzeSync([probe], { partials: false }).variables).flat();
}

class ConditionWalk {
  readonly occurrences = new Map<string, Occurrence>();
  readonly requirements: FieldRef[][] = [];

  constructor(private readonly globals: ReadonlyMap<string, Variable>) {}

  /** `present` holds the paths a surrounding condition has proved to have a value. */
  templates(templates: Template[], present: ReadonlySet<string>): void {
    for (const template of templates) this.template(template, present);
  }

  private template(template: Template, present: ReadonlySet<string>): void {
    if (template instanceof IfTag) {
      for (const branch of template.branches) {
        this.markCondition(branch.value, template);
        this.templates(branch.templates, union(present, this.provenBy(branch.value, template)));
      }
      if (template.elseTemplates) this.templates(template.elseTemplates, present);
      return;
    }
    if (template instanceof UnlessTag) {
      // `unless a` … `else` … : the else side (and any elsif) only runs when `a` held.
      const [first, ...rest] = template.branches;
      const provenByFirst = first ? this.provenBy(first.value, template) : new Set<string>();
      if (first) {
        this.markCondition(first.value, template);
        this.templates(first.templates, present);
      }
      const afterFirst = union(present, provenByFirst);
      for (const branch of rest) {
        this.markCondition(branch.value, template);
        this.templates(branch.templates, union(afterFirst, this.provenBy(branch.value, template)));
      }
      this.templates(template.elseTemplates, afterFirst);
      return;
    }
    if (template instanceof CaseTag) {
      this.markCondition(template.value, template);
      const subject = this.singlePath(template.value, template);
      for (const branch of template.branches) {
        this.markGuarded(variablesIn(branch.values, template.token));
        // `{% when "won" %}` only matches when the subject has that (non-blank) value.
        const matchesOnlyValues = branch.values.every(
          (v) => (TypeGuards.isQuotedToken(v) && v.content.trim() !== "") || TypeGuards.isNumberToken(v),
        );
        const proven = subject !== null && matchesOnlyValues ? union(present, new Set([subject])) : present;
        this.templates(branch.templates, proven);
      }
      this.templates(template.elseTemplates, present);
      return;
    }
    const args = template.arguments ? [...template.arguments()] : [];
    // A loop over a missing list renders nothing rather than a blank.
    const isLoop = template instanceof ForTag || template instanceof TablerowTag;
    for (const arg of args) {
      if (isLoop) this.markGuarded(variablesIn([arg], template.token));
      else if (arg instanceof Value) this.markValue(arg, template, present);
      else this.markPlain(variablesIn([arg], template.token), present);
    }
    if (template.children) this.templates(toValueSync(template.children(false, true)), present);
  }

  private markCondition(value: Value, template: Template): void {
    this.markGuarded(variablesIn([value], template.token));
  }

  private markGuarded(variables: Variable[]): void {
    for (const variable of variables)
      this.occurrences.set(occurrenceKey(variable), { variable, guarded: true });
  }

  /** Printed without a default: needed unless a condition around it proved it present. */
  private markPlain(variables: Variable[], present: ReadonlySet<string>): void {
    for (const variable of variables) {
      const ref = this.refOf(variable);
      const guarded = present.has(ref.path);
      this.occurrences.set(occurrenceKey(variable), { variable, guarded });
      if (!guarded && this.isGlobal(variable)) this.requirements.push([ref]);
    }
  }

  /**
   * A filtered value. Everything up to the last `default` is covered by it; when every
   * `default` falls back to another field, the value still needs one of those fields.
   */
  private markValue(value: Value, template: Template, present: ReadonlySet<string>): void {
    const token = template.token;
    const initial = variablesIn(value.initial.postfix.filter(isValueToken), token);
    const lastDefault = value.filters.findLastIndex((f) => f.name === "default");
    if (lastDefault < 0) {
      this.markPlain(initial, present);
      for (const filter of value.filters)
        this.markPlain(variablesIn(filterArgs(filter.args), token), present);
      return;
    }
    const chain: Variable[] = [...initial];
    let hasLiteralFallback = false;
    value.filters.forEach((filter, index) => {
      const argVariables = variablesIn(filterArgs(filter.args), token);
      if (index > lastDefault) {
        this.markPlain(argVariables, present);
        return;
      }
      this.markGuarded(argVariables);
      if (filter.name !== "default") return;
      const fallback = filter.args[0];
      if (fallback !== undefined && !Array.isArray(fallback) && !TypeGuards.isPropertyAccessToken(fallback)) {
        hasLiteralFallback = hasLiteralFallback || !isBlankLiteral(fallback);
      } else {
        chain.push(...argVariables);
      }
    });
    this.markGuarded(initial);
    if (hasLiteralFallback || chain.length === 0) return;
    // A chain through a template-local name (`assign`) cannot be judged statically.
    if (!chain.every((v) => this.isGlobal(v))) return;
    const refs = chain.map((v) => this.refOf(v));
    if (!refs.some((ref) => present.has(ref.path))) this.requirements.push(refs);
  }

  /**
   * Paths that must have a value for `condition` to be true, under Nudge's scope where blank
   * strings are null: `a`, `a != blank`, `a != nil`, `a == "x"`, `a contains "x"`, joined by
   * `and` (both sides) or `or` (what both sides prove). Numeric comparisons prove nothing:
   * nil compares like 0.
   */
  private provenBy(condition: Value, template: Template): Set<string> {
    if (condition.filters.length > 0) return new Set();
    const stack: Operand[] = [];
    const proofOf = (operand: Operand | undefined): Set<string> => {
      if (operand?.kind === "path") return new Set([operand.path]);
      if (operand?.kind === "proof") return operand.paths;
      return new Set();
    };
    for (const token of condition.initial.postfix) {
      if (TypeGuards.isPropertyAccessToken(token)) {
        const [variable] = variablesIn([token], template.token);
        stack.push(
          variable ? { kind: "path", path: this.refOf(variable).path } : { kind: "proof", paths: new Set() },
        );
      } else if (TypeGuards.isLiteralToken(token)) {
        stack.push({ kind: "constant", blank: ["nil", "null", "blank", "empty"].includes(token.literal) });
      } else if (TypeGuards.isQuotedToken(token)) {
        stack.push({ kind: "constant", blank: token.content.trim() === "" });
      } else if (TypeGuards.isNumberToken(token)) {
        stack.push({ kind: "constant", blank: false });
      } else if (TypeGuards.isOperatorToken(token)) {
        if (token.operator === "not") {
          stack.pop();
          stack.push({ kind: "proof", paths: new Set() });
          continue;
        }
        const right = stack.pop();
        const left = stack.pop();
        stack.push({ kind: "proof", paths: provenByOperator(token.operator, left, right, proofOf) });
      } else {
        stack.push({ kind: "proof", paths: new Set() });
      }
    }
    return stack.length === 1 ? proofOf(stack[0]) : new Set();
  }

  /** The path of a condition that is exactly one variable (`{% case deal.stage %}`). */
  private singlePath(value: Value, template: Template): string | null {
    const [only, ...more] = value.initial.postfix;
    if (more.length > 0 || value.filters.length > 0 || !TypeGuards.isPropertyAccessToken(only)) return null;
    const [variable] = variablesIn([only], template.token);
    return variable ? this.refOf(variable).path : null;
  }

  isGlobal(variable: Variable): boolean {
    return this.globals.has(occurrenceKey(variable));
  }

  refOf(variable: Variable): FieldRef {
    const segments: FieldSegment[] = variable.segments.map((segment) =>
      segment instanceof Variable ? { ref: this.isGlobal(segment) ? this.refOf(segment) : null } : segment,
    );
    // `{{ contact.first_name.size }}` needs contact.first_name: report the field, not the property.
    const depth = leafDepth(segments);
    if (depth !== null && segments.length > depth) {
      const tail = segments.slice(depth);
      if (tail.every((s) => typeof s === "string" && VALUE_PROPERTIES.includes(s))) segments.length = depth;
    }
    return {
      path: formatPath(segments),
      segments,
      line: variable.location.row,
      column: variable.location.col,
    };
  }
}

type Operand =
  | { kind: "path"; path: string }
  | { kind: "constant"; blank: boolean }
  | { kind: "proof"; paths: Set<string> };

function provenByOperator(
  operator: string,
  left: Operand | undefined,
  right: Operand | undefined,
  proofOf: (operand: Operand | undefined) => Set<string>,
): Set<string> {
  switch (operator) {
    case "and":
      return union(proofOf(left), proofOf(right));
    case "or": {
      const rightProof = proofOf(right);
      return new Set([...proofOf(left)].filter((path) => rightProof.has(path)));
    }
    case "==":
    case "contains":
      return comparedPath(left, right, (constant) => !constant.blank);
    case "!=":
    case "<>":
      // `nil != empty` is true in Liquid, so only blank/nil prove a value is there.
      return comparedPath(left, right, (constant) => constant.blank);
    default:
      return new Set();
  }
}

function comparedPath(
  left: Operand | undefined,
  right: Operand | undefined,
  proves: (constant: { blank: boolean }) => boolean,
): Set<string> {
  if (left?.kind === "path" && right?.kind === "constant" && proves(right)) return new Set([left.path]);
  if (right?.kind === "path" && left?.kind === "constant" && proves(left)) return new Set([right.path]);
  return new Set();
}

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  return new Set([...a, ...b]);
}

function isValueToken(token: unknown): token is ValueToken {
  return TypeGuards.isValueToken(token);
}

function filterArgs(args: Value["filters"][number]["args"]): ValueToken[] {
  return args.flatMap((arg) => (Array.isArray(arg) ? (arg[1] ? [arg[1]] : []) : [arg]));
}

function isBlankLiteral(token: ValueToken): boolean {
  if (TypeGuards.isLiteralToken(token)) return ["nil", "null", "blank", "empty"].includes(token.literal);
  if (TypeGuards.isQuotedToken(token)) return token.content.trim() === "";
  return false;
}

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_-]*$/u;

/** Dotted where a segment is a plain name, bracketed otherwise: `contact.fields['Lead Source']`. */
export function formatPath(segments: readonly FieldSegment[]): string {
  let out = "";
  segments.forEach((segment, index) => {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "object") out += `[${segment.ref ? segment.ref.path : "…"}]`;
    else if (index === 0) out += segment;
    else if (IDENTIFIER.test(segment)) out += `.${segment}`;
    else out += `['${segment.replaceAll("'", "\\'")}']`;
  });
  return out;
}
