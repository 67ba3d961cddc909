// Keeps merge values out of Markdown and HTML parsing: while a body is rendered and converted,
// every printed value is an opaque slot token; the values go back in at the very end, encoded
// for the spot they landed in. A first name of "**<b>Ann</b>**" therefore stays literal text.

import { CaptureTag, type Context } from "liquidjs";
import { createTemplateEngine, parseTemplate, renderParsed } from "./liquidEngine.ts";
import type { ScopeObject, ScopeValue } from "./mergeContext.ts";

export interface Slots {
  /** Letters no template text or merge value contains, so every match is one of ours. */
  prefix: string;
  values: string[];
}

export type SlottedRender = { ok: true; markup: string; slots: Slots } | { ok: false; reason: string };

const SLOT_END = "E";

/** The slots of the render in progress; rendering is synchronous, so one at a time. */
let activeSlots: Slots | null = null;

/** How many `capture` blocks are rendering right now (they nest). */
let captureDepth = 0;

const slotEngine = createTemplateEngine((value) => {
  if (!activeSlots) throw new Error("the slot engine printed a value outside renderWithSlots");
  // Inside a capture the text is not output yet: keep real values so filters applied to the
  // captured variable (`{{ x | upcase }}`) see them; it is slotted when it is printed.
  if (captureDepth > 0) return liquidString(value);
  activeSlots.values.push(liquidString(value));
  return `${activeSlots.prefix}${activeSlots.values.length - 1}${SLOT_END}`;
});

/**
 * Captured text is a value like any other once printed, so it is escaped as a whole (as in
 * any auto-escaping template language); markup belongs outside `capture`.
 */
class SlotCaptureTag extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, string> {
    captureDepth++;
    try {
      yield* super.render(ctx);
    } finally {
      captureDepth--;
    }
  }
}
slotEngine.registerTag("capture", SlotCaptureTag);

/** Renders `source` with each printed value replaced by a slot token. */
export function renderWithSlots(source: string, scope: ScopeObject): SlottedRender {
  const parsed = parseTemplate(slotEngine, source);
  if (!parsed.ok) {
    const { message, line, column } = parsed.error;
    return {
      ok: false,
      reason: `template_error:${message}${line !== undefined ? ` (line ${line}, column ${column})` : ""}`,
    };
  }
  const slots: Slots = { prefix: slotPrefix(source, scope), values: [] };
  activeSlots = slots;
  captureDepth = 0;
  try {
    const rendered = renderParsed(slotEngine, parsed.templates, scope);
    return rendered.ok ? { ok: true, markup: rendered.output, slots } : rendered;
  } finally {
    activeSlots = null;
  }
}

/** Replaces slot tokens in `text`; `encode` turns a raw value into what belongs at `offset`. */
export function fillSlots(
  text: string,
  slots: Slots,
  encode: (raw: string, offset: number) => string,
): string {
  return text.replace(slotPattern(slots), (_match, index: string, offset: number) =>
    encode(slots.values[Number(index)] ?? "", offset),
  );
}

export function slotPattern(slots: Slots, flags = "g"): RegExp {
  return new RegExp(`${slots.prefix}(\\d+)${SLOT_END}`, flags);
}

/**
 * Puts values back into HTML. In text they are escaped and their line breaks kept as `<br>`; in
 * a tag (an attribute) they are escaped, and a `javascript:`-style URL is neutralised. With
 * `linkUrls`, a value that is a bare http(s) URL outside any link becomes a link, as Markdown
 * would have done had the URL been typed into the template.
 */
export function fillHtml(html: string, slots: Slots, options: { linkUrls: boolean }): string {
  const slot = slotPattern(slots).source;
  const pieces = new RegExp(`<!--[\\s\\S]*?-->|<[a-zA-Z/!][^>]*>|${slot}`, "g");
  let anchorDepth = 0;
  return html.replace(pieces, (piece: string) => {
    if (piece.startsWith("<")) {
      if (/^<a[\s>]/i.test(piece)) anchorDepth++;
      else if (/^<\/a\s*>/i.test(piece)) anchorDepth = Math.max(0, anchorDepth - 1);
      return fillSlots(piece, slots, (raw, offset) => attributeValue(raw, piece.slice(0, offset)));
    }
    return fillSlots(piece, slots, (raw) => {
      const escaped = escapeHtml(raw);
      if (options.linkUrls && anchorDepth === 0 && /^https?:\/\/[^\s<>"']+$/i.test(raw)) {
        return `<a href="${escaped}">${escaped}</a>`;
      }
      return escaped.replace(/\r\n|\r|\n/g, "<br>\n");
    });
  });
}

/** Removes slot tokens, for measuring the words an author wrote. */
export function dropSlots(text: string, slots: Slots): string {
  return text.replace(slotPattern(slots), " ");
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function attributeValue(raw: string, tagBefore: string): string {
  const startsValue = /=\s*["']?\s*$/.test(tagBefore);
  // Browsers ignore controls and spaces inside a scheme ("java\nscript:"), so compare without them.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const scheme = raw.replace(/[\u0000-\u0020\u007f]/g, "").toLowerCase();
  if (startsValue && /^(javascript|vbscript|data):/.test(scheme)) return "#";
  return escapeHtml(raw).replace(/\r\n|\r|\n/g, "&#10;");
}

/** Liquid's own rule for printing a value. */
function liquidString(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(liquidString).join("");
  return String(value);
}

function slotPrefix(source: string, scope: ScopeObject): string {
  const texts = [source, ...scopeStrings(scope)];
  let prefix = "NUDGESLOT";
  while (texts.some((text) => text.includes(prefix))) prefix += "Q";
  return prefix;
}

function scopeStrings(value: ScopeValue): string[] {
  if (typeof value === "string") return [value];
  if (value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap(scopeStrings);
}
