import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import type { DayWindow, ResolvedSchedule, Weekday } from "../../../src/domain/sequence/definition.ts";
import {
  isHoliday,
  isSendingTime,
  localIso,
  nextSendingTime,
  nextTimeInDailyWindow,
  WEEKDAYS,
} from "../../../src/domain/time/index.ts";

const MINUTE = 60_000;
const WEEKDAYS_MON_FIRST: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const WORKWEEK: Weekday[] = ["mon", "tue", "wed", "thu", "fri"];
const NINE_TO_FIVE: DayWindow[] = [{ startMinute: 9 * 60, endMinute: 17 * 60 }];

function schedule(overrides: Partial<ResolvedSchedule> = {}): ResolvedSchedule {
  return { zone: "America/New_York", days: WORKWEEK, hours: NINE_TO_FIVE, waits: "calendar", ...overrides };
}

/** An instant from a local ISO time with offset, e.g. "2026-03-08T03:00:00-04:00". */
function at(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
}

/** Sending time computed independently with Luxon, the oracle for the properties. */
function oracleIsSendingTime(atUtcMs: number, s: ResolvedSchedule): boolean {
  const local = DateTime.fromMillis(atUtcMs, { zone: s.zone });
  const weekday = WEEKDAYS_MON_FIRST[local.weekday - 1]!;
  const minute = local.hour * 60 + local.minute;
  if (!s.days.includes(weekday)) return false;
  if (s.holidays && isHoliday(local.toISODate()!, s.holidays)) return false;
  return s.hours.some((w) => minute >= w.startMinute && minute < w.endMinute);
}

describe("isSendingTime", () => {
  const s = schedule({ holidays: "US" });
  it.each<[string, string, boolean]>([
    ["a Tuesday at 09:00 is inside 09:00-17:00", "2026-12-01T09:00:00-05:00", true],
    ["a Tuesday at 16:59:59 is inside", "2026-12-01T16:59:59-05:00", true],
    ["a Tuesday at 17:00 is past the window's end", "2026-12-01T17:00:00-05:00", false],
    ["a Tuesday at 08:59:59 is before the window", "2026-12-01T08:59:59-05:00", false],
    ["a Saturday is not a sending day", "2026-12-05T10:00:00-05:00", false],
    ["Thanksgiving is a US holiday", "2026-11-26T10:00:00-05:00", false],
    ["the time is read in the schedule's zone, not UTC", "2026-12-01T15:00:00Z", true],
    ["14:30 UTC is 09:30 in New York but 20:00 in Kolkata", "2026-12-01T14:30:00Z", true],
  ])("%s", (_, iso, expected) => {
    expect(isSendingTime(at(iso), s)).toBe(expected);
  });

  it("checks every window of a split day", () => {
    const split = schedule({
      hours: [
        { startMinute: 9 * 60, endMinute: 12 * 60 },
        { startMinute: 14 * 60, endMinute: 17 * 60 },
      ],
    });
    expect(isSendingTime(at("2026-12-01T11:59:00-05:00"), split)).toBe(true);
    expect(isSendingTime(at("2026-12-01T12:30:00-05:00"), split)).toBe(false);
    expect(isSendingTime(at("2026-12-01T14:00:00-05:00"), split)).toBe(true);
  });

  it("a 00:00-24:00 window covers the last minute of the day", () => {
    const allDay = schedule({ hours: [{ startMinute: 0, endMinute: 1440 }] });
    expect(isSendingTime(at("2026-12-01T23:59:59-05:00"), allDay)).toBe(true);
    expect(isSendingTime(at("2026-12-01T00:00:00-05:00"), allDay)).toBe(true);
  });
});

describe("nextSendingTime", () => {
  it.each<[string, Partial<ResolvedSchedule>, string, string]>([
    [
      "returns the instant itself inside a window",
      {},
      "2026-12-01T10:15:00-05:00",
      "2026-12-01T10:15:00-05:00",
    ],
    [
      "moves an early morning to the window's start",
      {},
      "2026-12-01T06:00:00-05:00",
      "2026-12-01T09:00:00-05:00",
    ],
    [
      "moves the window's end to the next day's start",
      {},
      "2026-12-01T17:00:00-05:00",
      "2026-12-02T09:00:00-05:00",
    ],
    ["moves Friday evening to Monday morning", {}, "2026-12-04T17:30:00-05:00", "2026-12-07T09:00:00-05:00"],
    ["skips Thanksgiving", { holidays: "US" }, "2026-11-25T18:00:00-05:00", "2026-11-27T09:00:00-05:00"],
    [
      "skips Christmas Day and the weekend",
      { holidays: "US" },
      "2026-12-24T17:00:00-05:00",
      "2026-12-28T09:00:00-05:00",
    ],
    [
      "skips German Unity Day",
      { zone: "Europe/Berlin", holidays: "DE" },
      "2025-10-02T18:00:00+02:00",
      "2025-10-06T09:00:00+02:00",
    ],
    [
      "waits for the afternoon window of a split day",
      {
        hours: [
          { startMinute: 9 * 60, endMinute: 12 * 60 },
          { startMinute: 14 * 60, endMinute: 17 * 60 },
        ],
      },
      "2026-12-01T12:30:00-05:00",
      "2026-12-01T14:00:00-05:00",
    ],
    [
      "opens at 09:00 Kolkata time (UTC+05:30)",
      { zone: "Asia/Kolkata" },
      "2026-12-01T00:00:00Z",
      "2026-12-01T09:00:00+05:30",
    ],
    [
      "moves a window start in the spring-forward gap (02:30, New York) to 03:00",
      { days: ["sun"], hours: [{ startMinute: 150, endMinute: 300 }] },
      "2026-03-08T00:00:00-05:00",
      "2026-03-08T03:00:00-04:00",
    ],
    [
      "skips a day whose whole window falls in the spring-forward gap",
      { zone: "Europe/Berlin", days: ["sun"], hours: [{ startMinute: 135, endMinute: 165 }] },
      "2026-03-29T00:00:00+01:00",
      "2026-04-05T02:15:00+02:00",
    ],
    [
      "opens a window start repeated by the fall-back at its first occurrence",
      { days: ["sun"], hours: [{ startMinute: 90, endMinute: 180 }] },
      "2026-11-01T00:00:00-04:00",
      "2026-11-01T01:30:00-04:00",
    ],
    [
      "finds the repeated hour's second pass after missing the first",
      { days: ["sun"], hours: [{ startMinute: 60, endMinute: 90 }] },
      "2026-11-01T01:45:00-04:00",
      "2026-11-01T01:00:00-05:00",
    ],
    [
      "keeps local 09:00 on the Monday after the EU clocks go back",
      { zone: "Europe/Berlin" },
      "2026-10-23T18:00:00+02:00",
      "2026-10-26T09:00:00+01:00",
    ],
  ])("%s", (_, overrides, fromIso, expectedIso) => {
    const s = schedule(overrides);
    const next = nextSendingTime(at(fromIso), s);
    expect(localIso(next, s.zone)).toBe(localIso(at(expectedIso), s.zone));
  });

  it("throws, as a bug, when the schedule has no sending day", () => {
    expect(() => nextSendingTime(at("2026-12-01T06:00:00Z"), schedule({ days: [] }))).toThrow(
      /no sending time/,
    );
  });

  it("throws, as a bug, when the schedule has no hours", () => {
    expect(() => nextSendingTime(at("2026-12-01T06:00:00Z"), schedule({ hours: [] }))).toThrow(
      /no sending time/,
    );
  });
});

describe("nextTimeInDailyWindow", () => {
  const quietHoursEnd = { startMinute: 8 * 60, endMinute: 21 * 60 };
  it.each<[string, string, Weekday[] | undefined, string]>([
    [
      "keeps an instant inside the window",
      "2026-12-05T12:00:00-05:00",
      undefined,
      "2026-12-05T12:00:00-05:00",
    ],
    [
      "holds a late-evening SMS until 08:00",
      "2026-12-05T22:00:00-05:00",
      undefined,
      "2026-12-06T08:00:00-05:00",
    ],
    [
      "holds an early SMS until 08:00 the same day",
      "2026-12-05T07:00:00-05:00",
      undefined,
      "2026-12-05T08:00:00-05:00",
    ],
    [
      "limited to weekdays, Friday night waits for Monday",
      "2026-12-04T22:00:00-05:00",
      WORKWEEK,
      "2026-12-07T08:00:00-05:00",
    ],
  ])("%s", (_, fromIso, days, expectedIso) => {
    expect(nextTimeInDailyWindow(at(fromIso), "America/New_York", quietHoursEnd, days)).toBe(at(expectedIso));
  });

  it("ignores holidays: a person decides on those", () => {
    const thanksgiving = at("2026-11-26T10:00:00-05:00");
    expect(nextTimeInDailyWindow(thanksgiving, "America/New_York", quietHoursEnd, WORKWEEK)).toBe(
      thanksgiving,
    );
  });
});

const ZONES = [
  "America/New_York",
  "Europe/Berlin",
  "Australia/Sydney",
  "Asia/Kolkata",
  "America/Sao_Paulo",
  "Pacific/Auckland",
  "UTC",
  "Asia/Kathmandu",
  "Australia/Lord_Howe",
  "America/Santiago",
];

// Instants on both sides of 2026's DST changes in the zones above, where mistakes hide.
const DST_ANCHORS = [
  "2026-03-08T07:00:00Z",
  "2026-11-01T06:00:00Z",
  "2026-03-29T01:00:00Z",
  "2026-10-25T01:00:00Z",
  "2026-04-04T16:00:00Z",
  "2026-10-03T16:00:00Z",
  "2026-04-04T14:00:00Z",
  "2026-09-26T14:00:00Z",
  "2026-04-05T03:00:00Z",
  "2026-09-06T04:00:00Z",
].map(at);

const instants = fc.oneof(
  fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 11, 31) }),
  fc
    .tuple(fc.constantFrom(...DST_ANCHORS), fc.integer({ min: -3 * 86_400_000, max: 86_400_000 }))
    .map(([anchor, delta]) => anchor + delta),
);

/** Sorted, non-overlapping windows whose edges are multiples of `stepMinutes`. */
function windows(stepMinutes: number): fc.Arbitrary<DayWindow[]> {
  const edge = fc.oneof(
    fc.integer({ min: 0, max: 1440 / stepMinutes }).map((n) => n * stepMinutes),
    // Around 01:00–03:00 is where clocks change.
    fc.constantFrom(0, 60, 90, 120, 135, 150, 180, 1440),
  );
  return fc.uniqueArray(edge, { minLength: 2, maxLength: 6 }).map((edges) => {
    const sorted = [...edges].sort((a, b) => a - b);
    const result: DayWindow[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2)
      result.push({ startMinute: sorted[i]!, endMinute: sorted[i + 1]! });
    return result;
  });
}

function schedules(stepMinutes: number): fc.Arbitrary<ResolvedSchedule> {
  return fc.record({
    zone: fc.constantFrom(...ZONES),
    days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
    hours: windows(stepMinutes),
    holidays: fc.constantFrom(undefined, "US", "DE", "AU-NSW", "NZ", "BR"),
    waits: fc.constant("calendar" as const),
  });
}

describe("nextSendingTime properties", () => {
  it("isSendingTime agrees with a Luxon reading of the local clock", () => {
    fc.assert(
      fc.property(instants, schedules(1), (t, s) => {
        expect(isSendingTime(t, s)).toBe(oracleIsSendingTime(t, s));
      }),
      { numRuns: 500 },
    );
  });

  it("is never earlier than the given instant, is a sending time, and opens a window", () => {
    fc.assert(
      fc.property(instants, schedules(1), (t, s) => {
        const next = nextSendingTime(t, s);
        expect(next).toBeGreaterThanOrEqual(t);
        expect(oracleIsSendingTime(next, s)).toBe(true);
        if (oracleIsSendingTime(t, s)) expect(next).toBe(t);
        // Anything later than t must be the first instant of an open stretch.
        else expect(oracleIsSendingTime(next - 1, s)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("leaves no sending time between the given instant and the result", () => {
    // With window edges, UTC offsets and DST changes all on quarter hours, sending status can only
    // change on a UTC quarter hour, so checking each one in between is exhaustive.
    const QUARTER = 15 * MINUTE;
    fc.assert(
      fc.property(instants, schedules(15), (t, s) => {
        const next = nextSendingTime(t, s);
        for (let q = Math.floor(t / QUARTER) * QUARTER + QUARTER; q < next; q += QUARTER) {
          if (oracleIsSendingTime(q, s)) {
            throw new Error(
              `${new Date(q).toISOString()} is a sending time before ${new Date(next).toISOString()}`,
            );
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
