// Click and open tracking in an email's HTML part: every http(s) link a reader can click is
// pointed at a tracked URL (the caller signs it), and an open pixel goes at the end. Only the
// href values change, byte for byte everything else stays as rendered, and the same HTML always
// gives the same result (links are numbered in document order), so a captured copy is stable.

import { Parser } from "htmlparser2";

export interface TrackedLink {
  /** 0-based position among the tracked links, in document order. */
  index: number;
  /** The URL as a browser would follow it (entities decoded, then serialised by `followedUrl`). */
  url: string;
}

export interface RewriteOptions {
  /** The tracked URL standing in for link number `index`. */
  trackedUrl(index: number): string;
  /** Links to leave alone besides non-http(s) ones (the unsubscribe link, our own URLs). */
  keep?(url: string): boolean;
}

export interface RewrittenHtml {
  html: string;
  links: TrackedLink[];
}

/** An author can keep one link untracked by giving it this attribute. */
export const NO_TRACK_ATTRIBUTE = "data-notrack";

const HTTP_URL = /^https?:\/\/[^\s]/i;

export function isTrackableUrl(url: string): boolean {
  return HTTP_URL.test(url);
}

/**
 * The URL a browser would request for an href, in its serialised form (WHATWG URL: spaces and
 * non-ASCII percent-encoded, tabs and line breaks dropped), or null when it does not parse. The
 * redirect sends exactly this, so a stored URL is always a valid `Location` header value.
 */
export function followedUrl(href: string): string | null {
  const trimmed = href.trim();
  if (!isTrackableUrl(trimmed) || !URL.canParse(trimmed)) return null;
  return new URL(trimmed).href;
}

export function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Rewrites the href of every `<a>` whose target is http(s), except kept ones and those marked
 * `data-notrack`. The parser finds real tags only: links inside comments, scripts or attribute
 * values are not touched.
 */
export function rewriteLinks(html: string, options: RewriteOptions): RewrittenHtml {
  const edits: Array<{ start: number; end: number; replacement: string }> = [];
  const links: TrackedLink[] = [];
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (name !== "a" || attribs.href === undefined || NO_TRACK_ATTRIBUTE in attribs) return;
        const url = followedUrl(attribs.href);
        if (url === null || options.keep?.(url)) return;
        const tagStart = parser.startIndex;
        const span = hrefValueSpan(html.slice(tagStart, parser.endIndex + 1));
        if (!span) return;
        const index = links.length;
        links.push({ index, url });
        edits.push({
          start: tagStart + span.start,
          end: tagStart + span.end,
          replacement: `"${escapeAttribute(options.trackedUrl(index))}"`,
        });
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  let out = "";
  let at = 0;
  for (const edit of edits) {
    out += html.slice(at, edit.start) + edit.replacement;
    at = edit.end;
  }
  return { html: out + html.slice(at), links };
}

/**
 * Where the first href value (quotes included) sits in an open tag's source. Attributes are
 * walked one by one so text inside another attribute's quoted value is never mistaken for one.
 */
export function hrefValueSpan(tag: string): { start: number; end: number } | null {
  const name = /^<[^\s/>]+/.exec(tag);
  if (!name) return null;
  const attribute = /[\s/]*([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?/y;
  attribute.lastIndex = name[0].length;
  for (;;) {
    const match = attribute.exec(tag);
    if (!match?.[1]) return null;
    if (match[1].toLowerCase() === "href") {
      const value = match[2];
      if (value === undefined) return null;
      const end = attribute.lastIndex;
      return { start: end - value.length, end };
    }
  }
}

/** A 1×1 image at the end of the body (before `</body>` when the HTML has one). */
export function addOpenPixel(html: string, pixelUrl: string): string {
  const img = `<img src="${escapeAttribute(pixelUrl)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`;
  const close = html.search(/<\/body\s*>/i);
  if (close >= 0) return `${html.slice(0, close)}${img}${html.slice(close)}`;
  return `${html}\n${img}`;
}
