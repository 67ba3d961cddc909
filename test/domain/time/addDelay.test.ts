import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import type { Delay, ResolvedSchedule, Weekday } from "../../../src/domain/sequence/definition.ts";
import { addDelay, isHoliday, localIso, WEEKDAYS } from "../../../src/domain/time/index.ts";

const WORKWEEK: Weekday[] = ["mon", "tue", "wed", "thu", "fri"];
const WEEKDAYS_MON_FIRST: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

function schedule(overrides: Partial<ResolvedSchedule> = {}): ResolvedSchedule {
  return {
    zone: "America/New_York",
    days: WORKWEEK,
    hours: [{ startMinute: 9 * 60, endMinute: 17 * 60 }],
    waits: "calendar",
    ...overrides,
  };
}

function at(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
}

const days = (n: number, business = false): Delay => ({ kind: "days", days: n, business });

describe("addDelay", () => {
  it.each<[string, Partial<ResolvedSchedule>, string, Delay, string]>([
    [
      "no wait is the same instant",
      {},
      "2026-12-04T15:00:00-05:00",
      { kind: "none" },
      "2026-12-04T15:00:00-05:00",
    ],
    [
      "minutes are elapsed time, even outside sending hours",
      {},
      "2026-12-04T16:50:00-05:00",
      { kind: "minutes", minutes: 30 },
      "2026-12-04T17:20:00-05:00",
    ],
    [
      "hours are elapsed time across the spring-forward change",
      {},
      "2026-03-08T01:30:00-05:00",
      { kind: "hours", hours: 1 },
      "2026-03-08T03:30:00-04:00",
    ],
    [
      "calendar days keep 09:00 across the US spring-forward change",
      {},
      "2026-03-06T09:00:00-05:00",
      days(3),
      "2026-03-09T09:00:00-04:00",
    ],
    [
      "calendar days keep 09:00 across the US fall-back change",
      {},
      "2026-10-30T09:00:00-04:00",
      days(3),
      "2026-11-02T09:00:00-05:00",
    ],
    [
      "calendar days keep 09:00 across the EU spring-forward change",
      { zone: "Europe/Berlin" },
      "2026-03-27T09:00:00+01:00",
      days(3),
      "2026-03-30T09:00:00+02:00",
    ],
    [
      "calendar days keep 09:00 across the EU fall-back change",
      { zone: "Europe/Berlin" },
      "2026-10-23T09:00:00+02:00",
      days(3),
      "2026-10-26T09:00:00+01:00",
    ],
    [
      "calendar days keep 09:00 across Sydney's DST change",
      { zone: "Australia/Sydney" },
      "2026-10-02T09:00:00+10:00",
      days(7),
      "2026-10-09T09:00:00+11:00",
    ],
    [
      "calendar days count weekends and holidays",
      { holidays: "US" },
      "2026-11-25T10:00:00-05:00",
      days(3),
      "2026-11-28T10:00:00-05:00",
    ],
    [
      "a time the target day skips becomes the end of the gap",
      {},
      "2026-03-07T02:30:00-05:00",
      days(1),
      "2026-03-08T03:00:00-04:00",
    ],
    [
      "a time the target day repeats is its first occurrence",
      {},
      "2026-10-31T01:30:00-04:00",
      days(1),
      "2026-11-01T01:30:00-04:00",
    ],
    [
      "business days skip the weekend",
      {},
      "2026-12-04T10:00:00-05:00",
      days(1, true),
      "2026-12-07T10:00:00-05:00",
    ],
    [
      "business days from a Saturday start counting on Monday",
      {},
      "2026-12-05T10:00:00-05:00",
      days(1, true),
      "2026-12-07T10:00:00-05:00",
    ],
    [
      "business days skip Thanksgiving (US)",
      { holidays: "US" },
      "2026-11-25T10:00:00-05:00",
      days(1, true),
      "2026-11-27T10:00:00-05:00",
    ],
    [
      "business days skip Christmas Day and the weekend (US)",
      { holidays: "US" },
      "2026-12-24T10:00:00-05:00",
      days(2, true),
      "2026-12-29T10:00:00-05:00",
    ],
    [
      "business days skip German Unity Day on a Friday (DE)",
      { zone: "Europe/Berlin", holidays: "DE" },
      "2025-10-02T10:00:00+02:00",
      days(1, true),
      "2025-10-06T10:00:00+02:00",
    ],
    [
      "business days skip German Unity Day on a Saturday of a six-day week (DE)",
      { zone: "Europe/Berlin", holidays: "DE", days: [...WORKWEEK, "sat"] },
      "2026-10-02T10:00:00+02:00",
      days(1, true),
      "2026-10-05T10:00:00+02:00",
    ],
    [
      "business days count only the schedule's days",
      { days: ["tue", "thu"] },
      "2026-12-01T10:00:00-05:00",
      days(3, true),
      "2026-12-10T10:00:00-05:00",
    ],
    [
      "next business morning on a Friday afternoon is Monday at 09:30",
      {},
      "2026-11-06T15:00:00-05:00",
      { kind: "next_business_morning", atMinute: 570 },
      "2026-11-09T09:30:00-05:00",
    ],
    [
      "next business morning skips a Monday holiday (Columbus Day, US)",
      { holidays: "US" },
      "2026-10-09T15:00:00-04:00",
      { kind: "next_business_morning", atMinute: 570 },
      "2026-10-13T09:30:00-04:00",
    ],
    [
      "next business morning is tomorrow even before today's 09:30",
      {},
      "2026-12-01T07:00:00-05:00",
      { kind: "next_business_morning", atMinute: 570 },
      "2026-12-02T09:30:00-05:00",
    ],
    [
      "next business morning is read in the schedule's zone",
      { zone: "Asia/Kolkata" },
      "2026-12-04T20:00:00Z",
      { kind: "next_business_morning", atMinute: 540 },
      "2026-12-07T09:00:00+05:30",
    ],
  ])("%s", (_, overrides, fromIso, delay, expectedIso) => {
    const s = schedule(overrides);
    expect(localIso(addDelay(at(fromIso), delay, s), s.zone)).toBe(localIso(at(expectedIso), s.zone));
  });

  it("throws, as a bug, when business days are counted on a schedule without days", () => {
    expect(() => addDelay(at("2026-12-01T10:00:00Z"), days(1, true), schedule({ days: [] }))).toThrow(
      /no sending day/,
    );
  });
});

const ZONES = [
  "America/New_York",
  "Europe/Berlin",
  "Australia/Sydney",
  "Asia/Kolkata",
  "Pacific/Auckland",
  "UTC",
];
const instants = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 11, 31) });
const schedules: fc.Arbitrary<ResolvedSchedule> = fc.record({
  zone: fc.constantFrom(...ZONES),
  days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
  hours: fc.constant([{ startMinute: 9 * 60, endMinute: 17 * 60 }]),
  holidays: fc.constantFrom("US", "DE", undefined),
  waits: fc.constant("business" as const),
});

function isSendingDateOracle(local: DateTime, s: ResolvedSchedule): boolean {
  return (
    s.days.includes(WEEKDAYS_MON_FIRST[local.weekday - 1]!) &&
    !(s.holidays && isHoliday(local.toISODate()!, s.holidays))
  );
}

/** Whether the wall time of `from` exists on `date` (it does not inside a spring-forward gap). */
function wallTimeExists(from: DateTime, date: DateTime): boolean {
  const wanted = { year: date.year, month: date.month, day: date.day, hour: from.hour, minute: from.minute };
  const candidate = DateTime.fromObject({ ...wanted, second: from.second }, { zone: from.zone });
  return candidate.hour === from.hour && candidate.minute === from.minute;
}

describe("addDelay properties", () => {
  it("business days land on the n-th sending day after the start date, at the same local time", () => {
    fc.assert(
      fc.property(instants, schedules, fc.integer({ min: 1, max: 20 }), (t, s, n) => {
        const result = addDelay(t, days(n, true), s);
        const from = DateTime.fromMillis(t, { zone: s.zone });
        const landed = DateTime.fromMillis(result, { zone: s.zone });
        expect(isSendingDateOracle(landed, s)).toBe(true);

        let sendingDays = 0;
        for (
          let d = from.startOf("day").plus({ days: 1 });
          d <= landed.startOf("day");
          d = d.plus({ days: 1 })
        ) {
          if (isSendingDateOracle(d, s)) sendingDays += 1;
        }
        expect(sendingDays).toBe(n);

        if (wallTimeExists(from, landed)) {
          expect(landed.toFormat("HH:mm:ss.SSS")).toBe(from.toFormat("HH:mm:ss.SSS"));
        } else {
          expect(landed.toMillis()).toBeGreaterThan(t);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("calendar days move the local date by n and keep the local time", () => {
    fc.assert(
      fc.property(instants, schedules, fc.integer({ min: 1, max: 60 }), (t, s, n) => {
        const result = addDelay(t, days(n), s);
        const from = DateTime.fromMillis(t, { zone: s.zone });
        const landed = DateTime.fromMillis(result, { zone: s.zone });
        expect(landed.toISODate()).toBe(from.plus({ days: n }).toISODate());
        if (wallTimeExists(from, landed)) {
          expect(landed.toFormat("HH:mm:ss.SSS")).toBe(from.toFormat("HH:mm:ss.SSS"));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("next business morning lands on the first sending day after today at the given time", () => {
    fc.assert(
      fc.property(instants, schedules, fc.integer({ min: 6 * 60, max: 11 * 60 }), (t, s, atMinute) => {
        const result = addDelay(t, { kind: "next_business_morning", atMinute }, s);
        const from = DateTime.fromMillis(t, { zone: s.zone });
        const landed = DateTime.fromMillis(result, { zone: s.zone });
        expect(isSendingDateOracle(landed, s)).toBe(true);
        expect(landed.hour * 60 + landed.minute).toBe(atMinute);
        for (
          let d = from.startOf("day").plus({ days: 1 });
          d < landed.startOf("day");
          d = d.plus({ days: 1 })
        ) {
          expect(isSendingDateOracle(d, s)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });
});
