// Table tests for the human/machine rules, one row per rule and per trap a rule must not fall in.

import { describe, expect, it } from "vitest";
import {
  CLICK_SCANNER_WINDOW_MS,
  classifyTrackingHit,
  isAppleAddress,
  type TrackingHit,
} from "../../src/domain/tracking/classifyTrackingHit.ts";

const SENT = Date.UTC(2026, 10, 2, 14, 0, 0);
const CHROME =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const IPHONE_MAIL =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";
const OUTLOOK_DESKTOP = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)";

function hit(overrides: Partial<TrackingHit>): TrackingHit {
  return {
    kind: "click",
    method: "GET",
    userAgent: CHROME,
    ip: "203.0.113.7",
    atUtcMs: SENT + 15 * 60_000,
    sentAtUtcMs: SENT,
    ...overrides,
  };
}

describe("classifyTrackingHit", () => {
  const machine: Array<[string, Partial<TrackingHit>, string]> = [
    [
      "an open referred by Nudge's own UI (a sandbox preview)",
      { kind: "open", referer: "https://nudge.example/sandbox?m=1", ownOrigins: ["https://nudge.example"] },
      "nudge_preview",
    ],
    ["a HEAD request", { method: "HEAD" }, "head_request"],
    ["a HEAD request for the pixel", { kind: "open", method: "head" }, "head_request"],
    ["no user agent", { userAgent: null }, "no_user_agent"],
    ["a blank user agent", { userAgent: "   " }, "no_user_agent"],
    ["Apple MPP's bare Mozilla/5.0", { kind: "open", userAgent: "Mozilla/5.0" }, "apple_mail_privacy"],
    [
      "an open from Apple's 17.0.0.0/8",
      { kind: "open", userAgent: IPHONE_MAIL, ip: "17.58.100.4" },
      "apple_mail_privacy",
    ],
    [
      "an open from Apple's 17/8 seen on a dual-stack socket",
      { kind: "open", userAgent: IPHONE_MAIL, ip: "::ffff:17.1.2.3" },
      "apple_mail_privacy",
    ],
    [
      "an open from Apple's IPv6 block",
      { kind: "open", userAgent: IPHONE_MAIL, ip: "2620:149:a::1" },
      "apple_mail_privacy",
    ],
    [
      "Gmail's image proxy",
      {
        kind: "open",
        userAgent:
          "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
      },
      "image_proxy",
    ],
    [
      "Yahoo's image proxy",
      { kind: "open", userAgent: "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html" },
      "image_proxy",
    ],
    ["Microsoft Safe Links", { userAgent: "Mozilla/5.0 (compatible; SafeLinks)" }, "security_scanner"],
    [
      "BingPreview",
      { userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) BingPreview/1.0b" },
      "security_scanner",
    ],
    ["a Proofpoint URL defense fetch", { userAgent: "Proofpoint URL Defense" }, "security_scanner"],
    ["Barracuda", { userAgent: "Barracuda Sentinel (EE)" }, "security_scanner"],
    [
      "Slack's unfurler",
      { userAgent: "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)" },
      "link_preview",
    ],
    ["a self-declared bot", { userAgent: "Mozilla/5.0 (compatible; ExampleBot/2.1)" }, "link_preview"],
    ["curl", { userAgent: "curl/8.5.0" }, "scripted_client"],
    ["python-requests", { userAgent: "python-requests/2.32.3" }, "scripted_client"],
    [
      "headless Chrome",
      { userAgent: "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0.0.0 Safari/537.36" },
      "scripted_client",
    ],
    ["a click 3 s after the send", { atUtcMs: SENT + 3_000 }, "too_soon_after_send"],
    ["a click before the send was recorded", { sentAtUtcMs: null }, "too_soon_after_send"],
  ];
  for (const [name, overrides, reason] of machine) {
    it(`${name} is a machine hit (${reason})`, () => {
      const verdict = classifyTrackingHit(hit(overrides));
      expect(verdict).toMatchObject({ machine: true, reason });
    });
  }

  const human: Array<[string, Partial<TrackingHit>]> = [
    ["a browser click a quarter of an hour after the send", {}],
    ["a click exactly at the end of the scanner window", { atUtcMs: SENT + CLICK_SCANNER_WINDOW_MS }],
    ["an open from iPhone Mail off Apple's network", { kind: "open", userAgent: IPHONE_MAIL }],
    ["an open in Outlook desktop", { kind: "open", userAgent: OUTLOOK_DESKTOP }],
    [
      "an open in a webmail page on another origin",
      { kind: "open", referer: "https://outlook.live.com/mail/0/", ownOrigins: ["https://nudge.example"] },
    ],
    [
      "a click with a referer that is not a URL",
      { referer: "nonsense", ownOrigins: ["https://nudge.example"] },
    ],
    // An open seconds after the send is normal: people read new mail as it lands.
    ["an open one second after the send", { kind: "open", atUtcMs: SENT + 1_000 }],
    // Clicks from Apple's addresses are people on iCloud Private Relay, not MPP prefetches.
    ["a click from an Apple address", { ip: "17.58.100.4" }],
    ["a robot-free word containing 'bot' (Abbott)", { userAgent: `${CHROME} Abbott-Labs-Kiosk` }],
  ];
  for (const [name, overrides] of human) {
    it(`${name} is a human hit`, () => {
      expect(classifyTrackingHit(hit(overrides))).toEqual({ machine: false });
    });
  }

  it("reads IPv4 addresses inside and outside Apple's block correctly", () => {
    expect(isAppleAddress("17.255.255.255")).toBe(true);
    expect(isAppleAddress("18.0.0.1")).toBe(false);
    expect(isAppleAddress("not an address")).toBe(false);
    expect(isAppleAddress(null)).toBe(false);
  });
});
