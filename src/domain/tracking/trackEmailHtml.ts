// Applies a sequence's tracking settings to an email's HTML part: clicks rewrites the links,
// opens adds the pixel. The caller supplies the (signed) URLs, so this stays pure.

import { addOpenPixel, rewriteLinks, type TrackedLink } from "./rewriteLinks.ts";

export interface TrackingSettings {
  opens: boolean;
  clicks: boolean;
}

export interface TrackingUrls {
  /** The tracked URL standing in for link number `index`. */
  clickUrl(index: number): string;
  pixelUrl: string;
  /** Our own URLs (unsubscribe, tracking) are never rewritten. */
  keep(url: string): boolean;
}

export interface TrackedHtml {
  html: string;
  /** What each tracked link points at, to be recorded before the message goes out. */
  links: TrackedLink[];
}

/** With both settings off (the default) the HTML is returned untouched. */
export function trackEmailHtml(html: string, settings: TrackingSettings, urls: TrackingUrls): TrackedHtml {
  let out = html;
  let links: TrackedLink[] = [];
  if (settings.clicks) {
    const rewritten = rewriteLinks(out, { trackedUrl: urls.clickUrl, keep: urls.keep });
    out = rewritten.html;
    links = rewritten.links;
  }
  if (settings.opens) out = addOpenPixel(out, urls.pixelUrl);
  return { html: out, links };
}
