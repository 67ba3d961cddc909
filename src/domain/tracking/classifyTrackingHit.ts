// Decides whether an open-pixel load or a tracked-link click was a person or a machine: image
// proxies that fetch every image on arrival, link scanners that follow every link before the
// recipient sees the mail, and scripted HTTP clients. Pure: the hit and its instant come in.
//
// Every rule here is listed, in the same order, in docs/tracking.md. A machine hit is
// still stored (with the reason) but never satisfies a wait_for or branch and never counts.

import { BlockList, isIP } from "node:net";

export type TrackingHitKind = "open" | "click";

export interface TrackingHit {
  kind: TrackingHitKind;
  /** The HTTP method as received (GET, HEAD, …). */
  method: string;
  userAgent: string | null;
  /** The client address as the server saw it (IPv4, IPv6, or IPv4-mapped IPv6). */
  ip: string | null;
  /** When the hit arrived (the workspace's clock). */
  atUtcMs: number;
  /** When the message was recorded as sent; null when it is not (yet) marked sent. */
  sentAtUtcMs: number | null;
  /** The Referer header, if any. */
  referer?: string | null;
  /** Origins of Nudge's own pages (the server answering, its public URL). */
  ownOrigins?: readonly string[];
}

export type MachineReason =
  | "nudge_preview"
  | "head_request"
  | "no_user_agent"
  | "apple_mail_privacy"
  | "image_proxy"
  | "security_scanner"
  | "link_preview"
  | "scripted_client"
  | "too_soon_after_send";

export type TrackingVerdict =
  | { machine: false }
  | {
      machine: true;
      reason: MachineReason;
      /** What matched: the user-agent token, the address range, or the seconds since the send. */
      detail: string;
    };

/** A click this soon after the send is a scanner following links on delivery, not a reader. */
export const CLICK_SCANNER_WINDOW_MS = 10_000;

/**
 * Apple Mail Privacy Protection fetches remote images on arrival through Apple's relays with a
 * bare `Mozilla/5.0` user agent (no platform, no engine): no real browser or mail client sends
 * exactly that.
 */
const APPLE_MPP_USER_AGENT = /^mozilla\/5\.0$/i;

/**
 * Address blocks registered to Apple Inc. in the regional internet registries' public records
 * (ARIN 17.0.0.0/8 and 2620:149::/32, RIPE 2a01:b740::/32, APNIC 2403:300::/32). Opens from
 * there are Apple's own fetchers; MPP loads that egress through iCloud Private Relay partners
 * carry the bare user agent above.
 */
export const APPLE_RANGES: ReadonlyArray<{ network: string; prefix: number }> = [
  { network: "17.0.0.0", prefix: 8 },
  { network: "2620:149::", prefix: 32 },
  { network: "2a01:b740::", prefix: 32 },
  { network: "2403:300::", prefix: 32 },
];

/** Mail providers' image proxies: they fetch the pixel for the mailbox, not for a reader. */
const IMAGE_PROXIES: ReadonlyArray<{ token: RegExp; name: string }> = [
  { token: /GoogleImageProxy/i, name: "GoogleImageProxy" },
  { token: /ggpht\.com/i, name: "ggpht.com (Google)" },
  { token: /YahooMailProxy/i, name: "YahooMailProxy" },
  { token: /Yahoo! Slurp/i, name: "Yahoo! Slurp" },
];

/** Email security gateways and sandboxes that follow links (and load images) before delivery. */
const SECURITY_SCANNERS: ReadonlyArray<{ token: RegExp; name: string }> = [
  { token: /SafeLinks/i, name: "Microsoft Safe Links" },
  { token: /Microsoft Defender|Windows Defender/i, name: "Microsoft Defender" },
  { token: /BingPreview/i, name: "BingPreview (Microsoft)" },
  { token: /Microsoft Office (?:Existence|Protocol) Discovery/i, name: "Microsoft Office discovery" },
  { token: /Proofpoint/i, name: "Proofpoint" },
  { token: /Mimecast/i, name: "Mimecast" },
  { token: /Barracuda/i, name: "Barracuda" },
  { token: /Symantec|MessageLabs/i, name: "Symantec" },
  { token: /IronPort|Cisco Secure Email/i, name: "Cisco" },
  { token: /Trend ?Micro/i, name: "Trend Micro" },
  { token: /Forcepoint|Websense/i, name: "Forcepoint" },
  { token: /Sophos/i, name: "Sophos" },
  { token: /FireEye|Trellix/i, name: "Trellix/FireEye" },
  { token: /Zscaler/i, name: "Zscaler" },
  { token: /Forti(?:Guard|net|Mail)/i, name: "Fortinet" },
  { token: /Check ?Point/i, name: "Check Point" },
  { token: /Cloudmark/i, name: "Cloudmark" },
  { token: /Avanan/i, name: "Avanan" },
  { token: /Abnormal ?Security/i, name: "Abnormal Security" },
];

/** Chat and social apps that fetch a link to draw its preview card. */
const LINK_PREVIEWS: ReadonlyArray<{ token: RegExp; name: string }> = [
  { token: /Slackbot/i, name: "Slackbot" },
  { token: /facebookexternalhit|Facebot/i, name: "Facebook" },
  { token: /Twitterbot/i, name: "Twitterbot" },
  { token: /LinkedInBot/i, name: "LinkedInBot" },
  { token: /WhatsApp/i, name: "WhatsApp" },
  { token: /Discordbot/i, name: "Discordbot" },
  { token: /TelegramBot/i, name: "TelegramBot" },
  { token: /SkypeUriPreview/i, name: "SkypeUriPreview" },
  { token: /Iframely/i, name: "Iframely" },
  { token: /Googlebot|bingbot|DuckDuckBot|YandexBot|Baiduspider/i, name: "search crawler" },
  // Any other self-declared robot: "…bot/1.2", or the words bot, crawler, spider on their own.
  { token: /(?:bot|crawler|spider)\/\d|\b(?:bot|crawler|spider)\b/i, name: "self-declared robot" },
];

/** HTTP libraries and headless browsers: nobody reads email with these. */
const SCRIPTED_CLIENTS: ReadonlyArray<{ token: RegExp; name: string }> = [
  { token: /^curl\//i, name: "curl" },
  { token: /^Wget\//i, name: "Wget" },
  { token: /python-requests|python-urllib|python-httpx|aiohttp|^Python\//i, name: "Python" },
  { token: /Go-http-client/i, name: "Go-http-client" },
  { token: /^Java\/|Apache-HttpClient/i, name: "Java" },
  { token: /libwww-perl|^PycURL|^Ruby|^PostmanRuntime|^insomnia/i, name: "HTTP library" },
  { token: /node-fetch|^axios\/|^undici|^got \(/i, name: "Node.js HTTP client" },
  { token: /HeadlessChrome|PhantomJS|Scrapy/i, name: "headless browser" },
];

const appleBlocks = (() => {
  const list = new BlockList();
  for (const { network, prefix } of APPLE_RANGES)
    list.addSubnet(network, prefix, isIP(network) === 6 ? "ipv6" : "ipv4");
  return list;
})();

/** `::ffff:17.1.2.3` (a dual-stack socket's view of an IPv4 client) is the IPv4 address. */
export function normaliseIp(ip: string | null): string | null {
  if (!ip) return null;
  const trimmed = ip.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  const address = mapped?.[1] ?? trimmed;
  return isIP(address) === 0 ? null : address;
}

export function isAppleAddress(ip: string | null): boolean {
  const address = normaliseIp(ip);
  if (!address) return false;
  return appleBlocks.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

/** `https://host[:port]` of a URL, or null when it is not an absolute http(s) URL. */
export function originOf(url: string | null): string | null {
  if (!url || !URL.canParse(url)) return null;
  const parsed = new URL(url);
  return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : null;
}

function firstMatch(
  userAgent: string,
  table: ReadonlyArray<{ token: RegExp; name: string }>,
): string | undefined {
  return table.find((entry) => entry.token.test(userAgent))?.name;
}

/**
 * The rules, first match wins (the order only decides which reason is reported):
 * 0. a page of Nudge itself referred the hit (someone previewing a captured email in the UI);
 * 1. a HEAD request (browsers GET what a person opens or clicks);
 * 2. no user agent at all;
 * 3. Apple Mail Privacy Protection: the bare `Mozilla/5.0` user agent, or an open from Apple's
 *    registered address blocks;
 * 4. a mail provider's image proxy user agent;
 * 5. an email security scanner's user agent;
 * 6. a link-preview fetcher or self-declared robot;
 * 7. a scripted HTTP client or headless browser;
 * 8. a click within CLICK_SCANNER_WINDOW_MS of the send, or before the send was recorded.
 */
export function classifyTrackingHit(hit: TrackingHit): TrackingVerdict {
  const refererOrigin = originOf(hit.referer ?? null);
  if (refererOrigin && (hit.ownOrigins ?? []).includes(refererOrigin)) {
    return { machine: true, reason: "nudge_preview", detail: `referred by ${refererOrigin}` };
  }
  if (hit.method.toUpperCase() === "HEAD") {
    return { machine: true, reason: "head_request", detail: "HEAD request" };
  }
  const userAgent = (hit.userAgent ?? "").trim();
  if (userAgent === "") return { machine: true, reason: "no_user_agent", detail: "no User-Agent header" };
  if (APPLE_MPP_USER_AGENT.test(userAgent)) {
    return { machine: true, reason: "apple_mail_privacy", detail: `user agent "${userAgent}"` };
  }
  if (hit.kind === "open" && isAppleAddress(hit.ip)) {
    return { machine: true, reason: "apple_mail_privacy", detail: `address ${normaliseIp(hit.ip)} (Apple)` };
  }
  const proxy = firstMatch(userAgent, IMAGE_PROXIES);
  if (proxy) return { machine: true, reason: "image_proxy", detail: proxy };
  const scanner = firstMatch(userAgent, SECURITY_SCANNERS);
  if (scanner) return { machine: true, reason: "security_scanner", detail: scanner };
  const preview = firstMatch(userAgent, LINK_PREVIEWS);
  if (preview) return { machine: true, reason: "link_preview", detail: preview };
  const scripted = firstMatch(userAgent, SCRIPTED_CLIENTS);
  if (scripted) return { machine: true, reason: "scripted_client", detail: scripted };
  if (hit.kind === "click") {
    if (hit.sentAtUtcMs === null) {
      return { machine: true, reason: "too_soon_after_send", detail: "clicked before the send was recorded" };
    }
    const sinceSendMs = hit.atUtcMs - hit.sentAtUtcMs;
    if (sinceSendMs < CLICK_SCANNER_WINDOW_MS) {
      return {
        machine: true,
        reason: "too_soon_after_send",
        detail: `clicked ${Math.max(0, sinceSendMs) / 1000}s after the send`,
      };
    }
  }
  return { machine: false };
}
