import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Delay } from "../../../src/domain/sequence/definition.ts";
import { formatDelay, parseDelay } from "../../../src/domain/time/index.ts";

const calendar = { business: false };
const business = { business: true };

describe("parseDelay accepts", () => {
  const accepted: Array<[string | number, { business: boolean }, Delay]> = [
    [0, calendar, { kind: "none" }],
    ["0", calendar, { kind: "none" }],
    ["now", calendar, { kind: "none" }],
    ["  NOW ", calendar, { kind: "none" }],
    ["immediately", calendar, { kind: "none" }],
    ["0m", calendar, { kind: "none" }],
    ["0 days", business, { kind: "none" }],
    ["30m", calendar, { kind: "minutes", minutes: 30 }],
    ["30 min", calendar, { kind: "minutes", minutes: 30 }],
    ["30 mins", calendar, { kind: "minutes", minutes: 30 }],
    ["30 minutes", calendar, { kind: "minutes", minutes: 30 }],
    ["1 minute", calendar, { kind: "minutes", minutes: 1 }],
    ["90M", calendar, { kind: "minutes", minutes: 90 }],
    ["2h", calendar, { kind: "hours", hours: 2 }],
    ["2 hours", calendar, { kind: "hours", hours: 2 }],
    ["1 hour", calendar, { kind: "hours", hours: 1 }],
    ["an hour", calendar, { kind: "hours", hours: 1 }],
    ["2 hrs", calendar, { kind: "hours", hours: 2 }],
    ["1.5h", calendar, { kind: "minutes", minutes: 90 }],
    ["3d", calendar, { kind: "days", days: 3, business: false }],
    ["3d", business, { kind: "days", days: 3, business: true }],
    ["3 days", calendar, { kind: "days", days: 3, business: false }],
    ["3   Days", business, { kind: "days", days: 3, business: true }],
    ["1 day", calendar, { kind: "days", days: 1, business: false }],
    ["a day", business, { kind: "days", days: 1, business: true }],
    ["3 calendar days", business, { kind: "days", days: 3, business: false }],
    ["2 business days", calendar, { kind: "days", days: 2, business: true }],
    ["1 business day", calendar, { kind: "days", days: 1, business: true }],
    ["2bd", calendar, { kind: "days", days: 2, business: true }],
    ["2 BD", calendar, { kind: "days", days: 2, business: true }],
    ["2 business-days", calendar, { kind: "days", days: 2, business: true }],
    ["3 working days", calendar, { kind: "days", days: 3, business: true }],
    ["1w", calendar, { kind: "days", days: 7, business: false }],
    ["2 weeks", business, { kind: "days", days: 14, business: false }],
    ["next business morning", calendar, { kind: "next_business_morning", atMinute: 9 * 60 }],
    ["next business morning at 09:30", calendar, { kind: "next_business_morning", atMinute: 9 * 60 + 30 }],
    ["Next  Business Morning at 9:30", calendar, { kind: "next_business_morning", atMinute: 9 * 60 + 30 }],
    ["next business morning at 10am", calendar, { kind: "next_business_morning", atMinute: 10 * 60 }],
    ["next business day at 14:00", calendar, { kind: "next_business_morning", atMinute: 14 * 60 }],
    ["next business day", calendar, { kind: "days", days: 1, business: true }],
  ];
  it.each(accepted)("%j (business waits: %o) as %j", (input, opts, delay) => {
    expect(parseDelay(input, opts)).toEqual({ ok: true, delay });
  });
});

describe("parseDelay rejects with a hint", () => {
  const rejected: Array<[string | number, string, string]> = [
    ["2 bussiness days", '"2 bussiness days" is not a duration', 'did you mean "2 business days"?'],
    ["3 dyas", '"3 dyas" is not a duration', 'did you mean "3 days"?'],
    ["5 minuts", '"5 minuts" is not a duration', 'did you mean "5 minutes"?'],
    ["2 hourz", '"2 hourz" is not a duration', 'did you mean "2 hours"?'],
    [
      "next bussiness morning at 09:30",
      '"next bussiness morning at 09:30" is not a duration',
      'did you mean "next business morning at 09:30"?',
    ],
    ["-3d", '"-3d" is negative', 'waits count forward from the previous step: "3d"'],
    [-5, '"-5" is not a duration', 'write e.g. "3d", or 0 for no wait'],
    ["1.5 days", '"1.5 days" is not a whole number of days', 'use whole days, or hours: "36h"'],
    [
      "1.5 business days",
      '"1.5 business days" is not a whole number of days',
      'use whole days, e.g. "2 business days"',
    ],
    ["1.5 weeks", '"1.5 weeks" is not a whole number of weeks', 'use whole weeks or days, e.g. "11 days"'],
    ["1.5m", '"1.5m" is not a duration', 'waits count whole minutes, e.g. "2m"'],
    ["3", '"3" has no unit', 'add a unit: "3d" for days, "3h" for hours or "3m" for minutes'],
    [3, "3 has no unit", 'add a unit: "3d" for days, "3h" for hours or "3m" for minutes'],
    ["days", '"days" is not a duration', 'put a number first, e.g. "3 days"'],
    ["2 months", '"2 months" is not a duration', 'count months in days, e.g. "60 days"'],
    ["1 year", '"1 year" is not a duration', 'count years in days, e.g. "365 days"'],
    ["30s", '"30s" is shorter than a minute', 'the shortest wait is a minute: "1m", or "0" for no wait'],
    [
      "soon",
      '"soon" is not a duration',
      'write e.g. "30m", "2h", "3d", "2 business days" or "next business morning at 09:30"',
    ],
    ["", "the wait is empty", 'write e.g. "3d", or "0" for no wait'],
    ["99999 days", '"99999 days" is too long', "the longest wait is 3650 days (ten years)"],
    [
      "next business morning at 25:00",
      '"25:00" is not a time of day',
      'write 24-hour HH:MM, e.g. "09:30" or "17:00"',
    ],
    ["next business morning at 24:00", '"24:00" is past the end of the day', 'the latest time is "23:59"'],
  ];
  it.each(rejected)("%j: %s", (input, message, hint) => {
    expect(parseDelay(input, calendar)).toEqual({ ok: false, message, hint });
  });
});

const delays: fc.Arbitrary<Delay> = fc.oneof(
  fc.constant<Delay>({ kind: "none" }),
  fc.integer({ min: 1, max: 100_000 }).map((minutes): Delay => ({ kind: "minutes", minutes })),
  fc.integer({ min: 1, max: 2000 }).map((hours): Delay => ({ kind: "hours", hours })),
  fc
    .record({ days: fc.integer({ min: 1, max: 3650 }), business: fc.boolean() })
    .map((d): Delay => ({ kind: "days", ...d })),
  fc.integer({ min: 0, max: 1439 }).map((atMinute): Delay => ({ kind: "next_business_morning", atMinute })),
);

describe("formatDelay", () => {
  it.each([
    [{ kind: "none" }, "now"],
    [{ kind: "minutes", minutes: 1 }, "1 minute"],
    [{ kind: "hours", hours: 2 }, "2 hours"],
    [{ kind: "days", days: 3, business: false }, "3 calendar days"],
    [{ kind: "days", days: 14, business: false }, "2 weeks"],
    [{ kind: "days", days: 1, business: true }, "1 business day"],
    [{ kind: "next_business_morning", atMinute: 570 }, "next business morning at 09:30"],
  ] satisfies Array<[Delay, string]>)("writes %j as %j", (delay, text) => {
    expect(formatDelay(delay)).toBe(text);
  });

  it("reads back to the same delay whatever the schedule's waits setting", () => {
    fc.assert(
      fc.property(delays, fc.boolean(), (delay, businessWaits) => {
        expect(parseDelay(formatDelay(delay), { business: businessWaits })).toEqual({ ok: true, delay });
      }),
    );
  });
});
