import { describe, expect, it } from "vitest";
import { DEFAULT_SCHEDULE, type Schedule } from "../../../src/domain/sequence/definition.ts";
import {
  formatLocal,
  isValidTimeZone,
  localIso,
  localIsoDate,
  resolveSchedule,
  weekdayOf,
} from "../../../src/domain/time/index.ts";

const instant = Date.parse("2026-12-01T14:30:00Z");

describe("formatLocal and localIso", () => {
  it.each<[string, string, string]>([
    ["America/New_York", "Tue 2026-12-01 09:30 EST", "2026-12-01T09:30:00-05:00"],
    ["Europe/Berlin", "Tue 2026-12-01 15:30 GMT+1", "2026-12-01T15:30:00+01:00"],
    ["Asia/Kolkata", "Tue 2026-12-01 20:00 GMT+5:30", "2026-12-01T20:00:00+05:30"],
    ["UTC", "Tue 2026-12-01 14:30 UTC", "2026-12-01T14:30:00+00:00"],
    ["Pacific/Auckland", "Wed 2026-12-02 03:30 GMT+13", "2026-12-02T03:30:00+13:00"],
  ])("in %s", (zone, human, iso) => {
    expect(formatLocal(instant, zone)).toBe(human);
    expect(localIso(instant, zone)).toBe(iso);
  });

  it("keeps milliseconds in localIso when there are some", () => {
    expect(localIso(instant + 250, "UTC")).toBe("2026-12-01T14:30:00.250+00:00");
  });

  it("refuses an unknown zone, which only a bug could pass", () => {
    expect(() => formatLocal(instant, "Mars/Olympus_Mons")).toThrow(/unknown time zone/);
  });
});

describe("weekdayOf and localIsoDate", () => {
  it("read the date in the zone, not in UTC", () => {
    expect(weekdayOf(instant, "America/New_York")).toBe("tue");
    expect(weekdayOf(instant, "Pacific/Auckland")).toBe("wed");
    expect(localIsoDate(Date.parse("2026-12-01T03:00:00Z"), "America/Los_Angeles")).toBe("2026-11-30");
    expect(weekdayOf(Date.parse("2026-12-06T12:00:00Z"), "UTC")).toBe("sun");
  });
});

describe("resolveSchedule", () => {
  const contactSchedule: Schedule = { ...DEFAULT_SCHEDULE, holidays: "US" };
  it.each<[string, Schedule, string | null | undefined, string]>([
    ["uses the contact's zone", contactSchedule, "Asia/Kolkata", "Asia/Kolkata"],
    ["falls back to the workspace's zone without a contact zone", contactSchedule, null, "Europe/Berlin"],
    ["falls back when the contact zone is undefined", contactSchedule, undefined, "Europe/Berlin"],
    [
      "falls back when the contact zone is not an IANA zone",
      contactSchedule,
      "Eastern Time",
      "Europe/Berlin",
    ],
    ["falls back when the contact zone is empty", contactSchedule, "  ", "Europe/Berlin"],
    [
      "uses an explicit zone as is",
      { ...contactSchedule, timezone: "America/Chicago" },
      "Asia/Kolkata",
      "America/Chicago",
    ],
  ])("%s", (_, schedule, contactZone, zone) => {
    const resolved = resolveSchedule(schedule, contactZone, "Europe/Berlin");
    expect(resolved).toEqual({
      zone,
      days: schedule.days,
      hours: schedule.hours,
      holidays: "US",
      waits: schedule.waits,
    });
  });

  it("isValidTimeZone knows IANA names and rejects the rest", () => {
    expect(isValidTimeZone("America/New_York")).toBe(true);
    expect(isValidTimeZone("UTC")).toBe(true);
    expect(isValidTimeZone("Eastern Time")).toBe(false);
    expect(isValidTimeZone("")).toBe(false);
  });
});
