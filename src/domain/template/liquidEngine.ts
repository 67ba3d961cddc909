// The one place Liquid is configured: a locked-down engine (no file system, no partials or
// layouts, no clock, no randomness, hard limits) plus parsing with a small memo and errors
// turned into values a user can act on.

import { type FilterImplOptions, Liquid, LiquidError, type Template } from "liquidjs";

type FilterHandler = Exclude<FilterImplOptions, { handler: unknown }>;
type FilterThis = ThisParameterType<FilterHandler>;

/**
 * Limits that stop a hostile or careless template from hanging a worker. A sales email is a
 * few kilobytes; these leave room for long HTML bodies and still fail within a second.
 * `renderLimit` is wall-clock milliseconds measured by liquidjs itself: it only decides
 * whether a runaway render is aborted, never what a successful render produces.
 */
export const TEMPLATE_LIMITS = {
  parseLimit: 200_000,
  renderLimit: 1_000,
  memoryLimit: 2_000_000,
} as const;

/** Rendered output above this size is treated as a broken template, not a message. */
export const MAX_RENDERED_CHARS = 1_000_000;

export interface TemplateSyntaxError {
  message: string;
  line?: number;
  column?: number;
}

export type ParsedTemplate = { ok: true; templates: Template[] } | { ok: false; error: TemplateSyntaxError };

export type RenderedLiquid = { ok: true; output: string } | { ok: false; reason: string };

/** Tags that would read other templates from storage; Nudge templates are self-contained. */
const FILE_TAGS = ["include", "render", "layout", "block"] as const;

/** Filters that would make a render depend on something other than its inputs. */
const RANDOM_FILTERS = ["sample"] as const;

/**
 * A Liquid engine safe for user-written copy. `outputEscape`, when given, receives every value
 * a `{{ }}` or `{% echo %}` prints; the email renderer uses it to keep merge values out of
 * Markdown and HTML parsing.
 */
export function createTemplateEngine(outputEscape?: (value: unknown) => string): Liquid {
  const liquid = new Liquid({
    // An empty in-memory template map: even if a file tag slipped through, there is nothing to read.
    templates: {},
    dynamicPartials: false,
    cache: false,
    // A misspelt filter (`| defualt:`) is a syntax error the validator reports, not a silent no-op.
    strictFilters: true,
    strictVariables: false,
    // `contact.constructor` and friends resolve to nothing.
    ownPropertyOnly: true,
    jsTruthy: false,
    // Dates format the same on every worker, whatever the machine's zone.
    timezoneOffset: 0,
    preserveTimezones: true,
    ...TEMPLATE_LIMITS,
    ...(outputEscape ? { outputEscape } : {}),
  });
  for (const tag of FILE_TAGS) {
    liquid.registerTag(tag, {
      parse() {
        throw new Error(`{% ${tag} %} is not available in Nudge templates: each template is self-contained`);
      },
      render() {},
    });
  }
  for (const filter of RANDOM_FILTERS) liquid.unregisterFilter(filter);
  // liquidjs lets a trailing `| raw` skip output escaping; in Nudge escaping is not optional.
  liquid.registerFilter("raw", (value: unknown) => value);
  for (const [name, impl] of Object.entries(liquid.filters)) {
    if (name.startsWith("date")) liquid.registerFilter(name, withoutClock(name, filterHandler(impl)));
  }
  return liquid;
}

/** `"now" | date` would read the worker's clock; a touch must render the same on any retry. */
function withoutClock(name: string, handler: FilterHandler): FilterHandler {
  return function (this: FilterThis, value: unknown, ...args: unknown[]): unknown {
    if (value === "now" || value === "today") {
      throw new Error(
        `"${value}" | ${name} reads the clock, which templates cannot; use a date field instead`,
      );
    }
    return handler.call(this, value, ...args);
  };
}

function filterHandler(impl: FilterImplOptions): FilterHandler {
  return typeof impl === "function" ? impl : impl.handler;
}

const PARSE_MEMO_SIZE = 500;
export const MEMO_MAX_SOURCE_CHARS = 50_000;
const parseMemos = new WeakMap<Liquid, Map<string, ParsedTemplate>>();

/**
 * Parses `source`, remembering recent results: the engine renders the same step body for every
 * contact, and parsed templates are immutable, so sharing them is safe.
 */
export function parseTemplate(liquid: Liquid, source: string): ParsedTemplate {
  let memo = parseMemos.get(liquid);
  if (!memo) {
    memo = new Map();
    parseMemos.set(liquid, memo);
  }
  const known = memo.get(source);
  if (known) return known;
  let parsed: ParsedTemplate;
  try {
    parsed = { ok: true, templates: liquid.parse(source) };
  } catch (err) {
    if (!LiquidError.is(err)) throw err;
    parsed = { ok: false, error: syntaxError(err) };
  }
  // Huge one-off sources would crowd the memo for nothing; only step-sized templates repeat.
  if (source.length > MEMO_MAX_SOURCE_CHARS) return parsed;
  if (memo.size >= PARSE_MEMO_SIZE) {
    const oldest = memo.keys().next();
    if (!oldest.done) memo.delete(oldest.value);
  }
  memo.set(source, parsed);
  return parsed;
}

/** Renders parsed templates; a Liquid failure (limits, a filter error) becomes a reason. */
export function renderParsed(liquid: Liquid, templates: Template[], scope: object): RenderedLiquid {
  let output: unknown;
  try {
    output = liquid.renderSync(templates, scope);
  } catch (err) {
    if (!LiquidError.is(err)) throw err;
    const { message, line, column } = syntaxError(err);
    const at = line !== undefined ? ` (line ${line}, column ${column})` : "";
    return { ok: false, reason: `template_error:${message}${at}` };
  }
  const text = typeof output === "string" ? output : String(output ?? "");
  if (text.length > MAX_RENDERED_CHARS) {
    return { ok: false, reason: `template_error:rendered output exceeds ${MAX_RENDERED_CHARS} characters` };
  }
  return { ok: true, output: text };
}

/** liquidjs appends ", line:2, col:5" to its messages; we keep the position as numbers instead. */
function syntaxError(err: LiquidError): TemplateSyntaxError {
  const message = err.message.replace(/(, file:[^,]*)?, line:\d+, col:\d+$/, "");
  const position = err.token?.getPosition();
  const line = position?.[0];
  const column = position?.[1];
  return line !== undefined && column !== undefined ? { message, line, column } : { message };
}
