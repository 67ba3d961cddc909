// Renders an email touch: a header-safe subject, an HTML part whose merge values are escaped,
// and a human text part. A touch with a missing field is held, never sent with a blank.

import { type MergeContext, mergeScope } from "./mergeContext.ts";
import { dropSlots, fillHtml, fillSlots, renderWithSlots } from "./mergeSlots.ts";
import { missingIn } from "./missingFields.ts";
import { renderHeaderValue } from "./renderText.ts";
import { analyseTemplate } from "./templateFields.ts";
import { htmlToText, markdownToHtml, markdownToText } from "./textPart.ts";

export interface EmailSource {
  /** Absent for a reply in thread, where the transport reuses the previous subject. */
  subject?: string;
  body: string;
  format: "markdown" | "html";
}

export type RenderEmailResult =
  | { ok: true; subject: string; html: string; text: string }
  | { ok: false; reason: string; missing: string[] };

/**
 * Missing fields are collected from the subject and the body before anything renders, so the
 * hold names all of them (`reason` names the first). Markdown and HTML see merge values only as
 * opaque slots (see mergeSlots.ts): a value can never add markup to either part.
 */
export function renderEmail(content: EmailSource, ctx: MergeContext): RenderEmailResult {
  const subjectSource = content.subject ?? "";
  const scope = mergeScope(ctx);
  const missing: string[] = [];
  for (const [part, source] of [
    ["subject", subjectSource],
    ["body", content.body],
  ] as const) {
    const analysis = analyseTemplate(source);
    if (!analysis.ok) {
      const { message, line, column } = analysis.error;
      const at = line !== undefined ? ` (${part} line ${line}, column ${column})` : ` (${part})`;
      return { ok: false, reason: `template_error:${message}${at}`, missing: [] };
    }
    for (const path of missingIn(analysis.requirements, scope))
      if (!missing.includes(path)) missing.push(path);
  }
  if (missing.length > 0) return { ok: false, reason: `missing_field:${missing[0]}`, missing };

  const subject = renderHeaderValue(subjectSource, ctx);
  if (!subject.ok) return subject;
  const body = renderEmailBody(content.body, content.format, ctx);
  if (!body.ok) return body;
  return { ok: true, subject: subject.text, html: body.html, text: body.text };
}

export type RenderedBody =
  | { ok: true; html: string; text: string }
  | { ok: false; reason: string; missing: string[] };

/** The body alone, without the missing-field check (the copy checks render sample bodies). */
export function renderEmailBody(
  body: string,
  format: EmailSource["format"],
  ctx: MergeContext,
): RenderedBody {
  const slotted = renderWithSlots(body, mergeScope(ctx));
  if (!slotted.ok) return { ok: false, reason: slotted.reason, missing: [] };
  const { markup, slots } = slotted;
  if (format === "markdown") {
    return {
      ok: true,
      html: fillHtml(markdownToHtml(markup), slots, { linkUrls: true }),
      text: fillSlots(markdownToText(markup), slots, (raw) => raw),
    };
  }
  const html = fillHtml(markup.trim(), slots, { linkUrls: false });
  return { ok: true, html, text: htmlToText(html) };
}

/** The words an author wrote in a body, with every merge value left out. */
export function authoredBodyText(
  body: string,
  format: EmailSource["format"],
  ctx: MergeContext,
): string | null {
  const slotted = renderWithSlots(body, mergeScope(ctx));
  if (!slotted.ok) return null;
  const { markup, slots } = slotted;
  const text = format === "markdown" ? markdownToText(markup) : htmlToText(markup);
  return dropSlots(text, slots);
}
