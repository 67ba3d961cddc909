// Renders plain-text templates (SMS, voicemail scripts, task notes, subjects). A template whose
// fields are missing is refused with the paths, never rendered with blanks.

import { parseTemplate, renderParsed } from "./liquidEngine.ts";
import { type MergeContext, mergeScope } from "./mergeContext.ts";
import { missingIn } from "./missingFields.ts";
import { analyseTemplate, plainEngine } from "./templateFields.ts";

export type RenderTextResult = { ok: true; text: string } | { ok: false; reason: string; missing: string[] };

/**
 * `reason` is `missing_field:<first missing path>` with every missing path in `missing`, or
 * `template_error:<message>` for a syntax error or a render that hit a limit. Surrounding
 * whitespace (left by `{% if %}` lines) is trimmed.
 */
export function renderText(source: string, ctx: MergeContext): RenderTextResult {
  const analysis = analyseTemplate(source);
  if (!analysis.ok) return templateError(analysis.error.message, analysis.error.line, analysis.error.column);
  const scope = mergeScope(ctx);
  const missing = missingIn(analysis.requirements, scope);
  if (missing.length > 0) return { ok: false, reason: `missing_field:${missing[0]}`, missing };
  const parsed = parseTemplate(plainEngine, source);
  if (!parsed.ok) return templateError(parsed.error.message, parsed.error.line, parsed.error.column);
  const rendered = renderParsed(plainEngine, parsed.templates, scope);
  if (!rendered.ok) return { ok: false, reason: rendered.reason, missing: [] };
  return { ok: true, text: rendered.output.trim() };
}

/**
 * A subject or other header value: rendered like text, then every control character (CR, LF,
 * tab, C1 controls, Unicode line separators, bidi overrides) becomes a space, so a merge value
 * can never start a new header or disguise the line, and whitespace runs collapse to one space.
 */
export function renderHeaderValue(source: string, ctx: MergeContext): RenderTextResult {
  const rendered = renderText(source, ctx);
  return rendered.ok ? { ok: true, text: headerText(rendered.text) } : rendered;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const HEADER_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function headerText(value: string): string {
  return value.replace(HEADER_UNSAFE, " ").replace(/\s+/g, " ").trim();
}

function templateError(message: string, line?: number, column?: number): RenderTextResult {
  const at = line !== undefined ? ` (line ${line}, column ${column})` : "";
  return { ok: false, reason: `template_error:${message}${at}`, missing: [] };
}
