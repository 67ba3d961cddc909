import { describe, expect, it } from "vitest";
import { holidayName, isHoliday, isKnownHolidayCalendar } from "../../../src/domain/time/index.ts";

describe("public holidays by calendar", () => {
  it.each<[string, string, string | null]>([
    ["2026-11-26", "US", "Thanksgiving Day"],
    ["2026-12-25", "US", "Christmas Day"],
    ["2026-07-03", "US", "Independence Day (substitute day)"],
    ["2021-12-31", "US", "New Year's Day (substitute day)"],
    ["2026-11-27", "US", null],
    ["2026-11-27", "US-CA", "Day after Thanksgiving Day"],
    ["2027-03-31", "US-CA", "César Chávez Day"],
    ["2027-03-31", "us-ca", "César Chávez Day"],
    ["2026-10-03", "DE", "National Holiday"],
    ["2026-01-06", "DE", null],
    ["2026-01-06", "DE-BY", "Epiphany"],
    ["2026-08-31", "GB-ENG", "Summer bank holiday"],
    ["2026-08-31", "GB-SCT", null],
    ["2026-12-24", "DE", null],
    ["2026-03-08", "CN", null],
    ["2026-02-17", "CN", "Spring Festival"],
    ["2026-12-25", "XX", null],
  ])("%s in %s: %j", (date, calendar, name) => {
    expect(holidayName(date, calendar)).toBe(name);
    expect(isHoliday(date, calendar)).toBe(name !== null);
  });

  it("refuses a date that is not YYYY-MM-DD, which only a bug could pass", () => {
    expect(() => isHoliday("2026-02-30", "US")).toThrow(/not a YYYY-MM-DD date/);
    expect(() => isHoliday("12/25/2026", "US")).toThrow(/not a YYYY-MM-DD date/);
  });
});

describe("isKnownHolidayCalendar", () => {
  it.each<[string, boolean]>([
    ["US", true],
    ["de", true],
    ["US-CA", true],
    ["GB-ENG", true],
    ["DE-BY-A", true],
    ["XX", false],
    ["US-XX", false],
    ["DE-BY-ZZ", false],
    ["", false],
    ["US CA", false],
    ["US-CA-LA-X", false],
  ])("%j: %s", (code, known) => {
    expect(isKnownHolidayCalendar(code)).toBe(known);
  });
});
