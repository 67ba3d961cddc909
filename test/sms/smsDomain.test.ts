// The pure parts of SMS and voice: quiet hours across zones and DST (property tests), phone
// numbers to E.164, keywords, sender-number choice, segments, and the Twilio signature.

import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { twilioSignature, verifyTwilioSignature } from "../../src/channels/sms/twilioSignature.ts";
import type { ResolvedSchedule } from "../../src/domain/sequence/definition.ts";
import { parseSequence } from "../../src/domain/sequence/parseSequence.ts";
import { readSmsKeyword } from "../../src/domain/sms/keywords.ts";
import { parsePhone } from "../../src/domain/sms/phoneNumber.ts";
import { chooseSenderNumber } from "../../src/domain/sms/senderNumber.ts";
import { smsStepSegments } from "../../src/domain/sms/stepSegments.ts";
import { smsSegments } from "../../src/domain/template/index.ts";
import { isSendingTime } from "../../src/domain/time/index.ts";
import {
  isAllowedQuietHoursWindow,
  nextPhoneTouchTime,
  nextTextingTime,
  quietHoursWindow,
  TCPA_WINDOW,
} from "../../src/domain/time/quietHours.ts";

const ZONES = [
  "America/New_York",
  "America/Los_Angeles",
  "America/Phoenix",
  "Pacific/Honolulu",
  "America/St_Johns",
  "Europe/London",
  "Europe/Berlin",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "America/Santiago",
  "Asia/Kolkata",
  "Pacific/Kiritimati",
  "UTC",
];
const MINUTE_MS = 60_000;
const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2030, 0, 1);

const localMinute = (utcMs: number, zone: string) => {
  const t = DateTime.fromMillis(utcMs, { zone });
  return t.hour * 60 + t.minute;
};

const windowArb = fc
  .tuple(fc.integer({ min: 8 * 60, max: 21 * 60 - 1 }), fc.integer({ min: 8 * 60 + 1, max: 21 * 60 }))
  .filter(([a, b]) => a < b)
  .map(([startMinute, endMinute]) => ({ startMinute, endMinute }));

describe("quiet hours", () => {
  it("the next texting time is never before the asked time, always inside 08:00–21:00 local, and the first such minute", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: FROM, max: TO }),
        fc.constantFrom(...ZONES),
        windowArb,
        (atUtcMs, zone, window) => {
          const next = nextTextingTime(atUtcMs, zone, window);
          expect(next).toBeGreaterThanOrEqual(atUtcMs);
          const minute = localMinute(next, zone);
          expect(minute).toBeGreaterThanOrEqual(Math.max(window.startMinute, TCPA_WINDOW.startMinute));
          expect(minute).toBeLessThan(Math.min(window.endMinute, TCPA_WINDOW.endMinute));
          // Nothing allowed was skipped: the minute before was either not yet asked for or quiet.
          const before = next - MINUTE_MS;
          if (before >= atUtcMs) {
            const m = localMinute(before, zone);
            expect(m >= window.startMinute && m < window.endMinute).toBe(false);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("around every DST change of the year, no phone touch is scheduled outside 08:00–21:00 local", () => {
    // Probe every 53 minutes through the days around the 2026 transitions in each zone.
    const transitions = [
      Date.UTC(2026, 2, 7),
      Date.UTC(2026, 2, 28),
      Date.UTC(2026, 3, 4),
      Date.UTC(2026, 8, 26),
      Date.UTC(2026, 9, 24),
      Date.UTC(2026, 10, 1),
    ];
    for (const zone of ZONES) {
      for (const start of transitions) {
        for (let at = start; at < start + 3 * 86_400_000; at += 53 * MINUTE_MS) {
          const next = nextTextingTime(at, zone, TCPA_WINDOW);
          const minute = localMinute(next, zone);
          expect(minute, `${zone} ${new Date(at).toISOString()}`).toBeGreaterThanOrEqual(480);
          expect(minute).toBeLessThan(1260);
          expect(next - at).toBeLessThan(2 * 86_400_000);
        }
      }
    }
  });

  it("combined with a sequence's sending window in another zone, the result satisfies both", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: FROM, max: TO }),
        fc.constantFrom(...ZONES),
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 20 * 60 }),
        fc.integer({ min: 60, max: 4 * 60 }),
        (atUtcMs, contactZone, scheduleZone, startMinute, length) => {
          const schedule: ResolvedSchedule = {
            zone: scheduleZone,
            days: ["mon", "tue", "wed", "thu", "fri"],
            hours: [{ startMinute, endMinute: Math.min(24 * 60, startMinute + length) }],
            waits: "calendar",
          };
          let next: number;
          try {
            next = nextPhoneTouchTime(atUtcMs, schedule, contactZone, TCPA_WINDOW);
          } catch {
            return; // windows that never overlap (e.g. a 00:00–01:00 window 12 hours away) are refused, not bent
          }
          expect(next).toBeGreaterThanOrEqual(atUtcMs);
          expect(isSendingTime(next, schedule)).toBe(true);
          const minute = localMinute(next, contactZone);
          expect(minute >= 480 && minute < 1260).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a workspace may narrow the window but never widen it", () => {
    expect(isAllowedQuietHoursWindow({ startMinute: 9 * 60, endMinute: 18 * 60 })).toBe(true);
    expect(isAllowedQuietHoursWindow({ startMinute: 7 * 60, endMinute: 18 * 60 })).toBe(false);
    expect(isAllowedQuietHoursWindow({ startMinute: 9 * 60, endMinute: 22 * 60 })).toBe(false);
    expect(quietHoursWindow({ startMinute: 6 * 60, endMinute: 23 * 60 })).toEqual(TCPA_WINDOW);
    expect(quietHoursWindow({ startMinute: 10 * 60, endMinute: 17 * 60 })).toEqual({
      startMinute: 600,
      endMinute: 1020,
    });
  });

  it("a text asked for at 22:30 in Los Angeles goes at 08:00 the next morning there", () => {
    const at = DateTime.fromISO("2026-11-03T22:30", { zone: "America/Los_Angeles" }).toMillis();
    const next = DateTime.fromMillis(nextTextingTime(at, "America/Los_Angeles", TCPA_WINDOW), {
      zone: "America/Los_Angeles",
    });
    expect(next.toISO()).toBe("2026-11-04T08:00:00.000-08:00");
  });
});

describe("phone numbers", () => {
  it.each([
    ["(212) 555-0123", "US", "+12125550123", "212"],
    ["+1 415 555 2671", "US", "+14155552671", "415"],
    ["020 7946 0958", "GB", "+442079460958", null],
    ["+49 30 901820", "US", "+4930901820", null],
  ])("%s (default %s) is %s", (raw, region, e164, areaCode) => {
    const parsed = parsePhone(raw, region);
    expect(parsed).toMatchObject({ ok: true, e164, areaCode });
  });

  it.each([
    ["", "no phone number"],
    ["hello", "not a phone number"],
    ["+1 555 0100", "not"],
    ["123", "not"],
  ])("%j is held as invalid_phone", (raw) => {
    expect(parsePhone(raw, "US")).toMatchObject({ ok: false, reason: "invalid_phone" });
  });
});

describe("keywords", () => {
  it.each([
    ["STOP", "stop"],
    ["stopall", "stop"],
    [" Unsubscribe ", "stop"],
    ["CANCEL", "stop"],
    ["end", "stop"],
    ["Quit", "stop"],
    ["Stop texting me please", "stop"],
    ["please don't text me again", "stop"],
    ["STOP!!", "stop"],
    ["START", "start"],
    ["help", "help"],
  ])("%j reads as %s", (body, keyword) => {
    expect(readSmsKeyword(body)?.keyword).toBe(keyword);
  });

  it.each([
    "Call me Tuesday at 2",
    "Can you stop by Tuesday?",
    "We should end the call early",
    "Sounds good",
  ])("%j is not a keyword", (body) => {
    expect(readSmsKeyword(body)).toBeNull();
  });
});

describe("sender numbers", () => {
  const pool = [
    { number: "+12125550100", country: "US", areaCode: "212" },
    { number: "+14155550100", country: "US", areaCode: "415" },
    { number: "+442079460000", country: "GB", areaCode: null },
  ];
  it("a contact keeps the number first chosen; else the same area code, then the same country", () => {
    expect(
      chooseSenderNumber({
        pool,
        sticky: "+14155550100",
        contactId: "ct_1",
        contactCountry: "US",
        contactAreaCode: "212",
      }),
    ).toEqual({ kind: "sticky", number: "+14155550100" });
    expect(
      chooseSenderNumber({
        pool,
        sticky: null,
        contactId: "ct_1",
        contactCountry: "US",
        contactAreaCode: "415",
      }),
    ).toEqual({ kind: "area_code", number: "+14155550100" });
    expect(
      chooseSenderNumber({
        pool,
        sticky: null,
        contactId: "ct_1",
        contactCountry: "GB",
        contactAreaCode: null,
      }),
    ).toEqual({ kind: "country", number: "+442079460000" });
    expect(
      chooseSenderNumber({
        pool: [],
        sticky: null,
        contactId: "ct_1",
        contactCountry: "US",
        contactAreaCode: "212",
      }),
    ).toEqual({ kind: "none" });
  });
});

describe("segments", () => {
  it("GSM-7 up to 160 is one segment; one emoji switches to UCS-2", () => {
    expect(smsSegments("a".repeat(160))).toEqual({ encoding: "GSM-7", segments: 1, characters: 160 });
    expect(smsSegments("a".repeat(161))).toMatchObject({ encoding: "GSM-7", segments: 2 });
    expect(smsSegments(`${"a".repeat(69)}😀`)).toMatchObject({
      encoding: "UCS-2",
      segments: 2,
      characters: 71,
    });
  });
});

describe("validation", () => {
  it("computes each sms step's segments and encoding, and flags texts over 3 segments", () => {
    const parsed = parseSequence(
      `id: seg
name: Segments
steps:
  - id: short
    sms: { body: "Hi {{ contact.first_name }}, quick one?" }
  - id: long
    wait: 1d
    sms:
      body: "${"Déjà vu ✓ ".repeat(25)}"
`,
      "seg.yaml",
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(smsStepSegments(parsed.definition)).toEqual([
      {
        step: "short",
        path: "steps[0].sms.body",
        segments: 1,
        encoding: "GSM-7",
        characters: 43,
        warning: false,
      },
      {
        step: "long",
        path: "steps[1].sms.body",
        segments: 4,
        encoding: "UCS-2",
        characters: 250,
        warning: true,
      },
    ]);
    expect(parsed.warnings.map((w) => [w.code, w.path])).toContainEqual([
      "sms_segments",
      "steps[1].sms.body",
    ]);
  });
});

describe("Twilio request signature", () => {
  const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  const params = {
    CallSid: "CA1234567890ABCDE",
    Caller: "+14158675309",
    Digits: "1234",
    From: "+14158675309",
    To: "+18005551212",
  };
  it("matches Twilio's published example", () => {
    expect(twilioSignature("12345", url, params)).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    expect(
      verifyTwilioSignature({ authToken: "12345", url, params, header: "RSOYDt4T1cUTdK1PDd93/VVr8B8=" }),
    ).toBe(true);
  });
  it("fails for another token, URL, or a changed parameter", () => {
    const header = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
    expect(verifyTwilioSignature({ authToken: "54321", url, params, header })).toBe(false);
    expect(verifyTwilioSignature({ authToken: "12345", url: `${url}&x=1`, params, header })).toBe(false);
    expect(
      verifyTwilioSignature({ authToken: "12345", url, params: { ...params, Digits: "1235" }, header }),
    ).toBe(false);
    expect(verifyTwilioSignature({ authToken: "12345", url, params, header: undefined })).toBe(false);
  });
});
