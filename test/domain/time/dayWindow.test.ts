import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DayWindow } from "../../../src/domain/sequence/definition.ts";
import { formatDayWindow, parseDayWindow } from "../../../src/domain/time/index.ts";

describe("parseDayWindow accepts", () => {
  it.each<[string, DayWindow]>([
    ["09:00-12:00", { startMinute: 540, endMinute: 720 }],
    ["9:00–17:30", { startMinute: 540, endMinute: 1050 }],
    ["9:00 — 17:30", { startMinute: 540, endMinute: 1050 }],
    [" 08:00 - 21:00 ", { startMinute: 480, endMinute: 1260 }],
    ["11-12", { startMinute: 660, endMinute: 720 }],
    ["9am-5pm", { startMinute: 540, endMinute: 1020 }],
    ["9:30 am to 12:15 pm", { startMinute: 570, endMinute: 735 }],
    ["00:00-24:00", { startMinute: 0, endMinute: 1440 }],
    ["22:00-24:00", { startMinute: 1320, endMinute: 1440 }],
  ])("%j as %j", (text, window) => {
    expect(parseDayWindow(text)).toEqual({ ok: true, window });
  });
});

describe("parseDayWindow rejects with a hint", () => {
  it.each<[string, string, string]>([
    [
      "17:00-09:00",
      '"17:00-09:00" ends before it starts',
      'a window stays inside one day: split it into "17:00-24:00" and "00:00-09:00"',
    ],
    ["10:00-10:00", '"10:00-10:00" ends when it starts', 'give the window a length, e.g. "09:00-17:00"'],
    ["09:00", '"09:00" is not a time window', 'write start-end in 24-hour time, e.g. "09:00-17:00"'],
    ["9:00-25:00", '"25:00" is not a time of day', 'write 24-hour HH:MM, e.g. "09:30" or "17:00"'],
    ["9:75-10:00", '"9:75" is not a time of day', 'write 24-hour HH:MM, e.g. "09:30" or "17:00"'],
    ["24:00-24:00", '"24:00" is past the end of the day', 'the latest time is "23:59"'],
    ["13pm-14pm", '"13pm" is not a time of day', 'with am/pm the hour runs 1–12; or write 24-hour "13:00"'],
    ["mornings", '"mornings" is not a time window', 'write start-end in 24-hour time, e.g. "09:00-17:00"'],
  ])("%j: %s", (text, message, hint) => {
    expect(parseDayWindow(text)).toEqual({ ok: false, message, hint });
  });
});

describe("formatDayWindow", () => {
  it("writes zero-padded 24-hour times, midnight at the end as 24:00", () => {
    expect(formatDayWindow({ startMinute: 540, endMinute: 1050 })).toBe("09:00-17:30");
    expect(formatDayWindow({ startMinute: 0, endMinute: 1440 })).toBe("00:00-24:00");
  });

  it("reads back to the same window", () => {
    const windows = fc
      .tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1440 }))
      .filter(([a, b]) => a < b)
      .map(([startMinute, endMinute]) => ({ startMinute, endMinute }));
    fc.assert(
      fc.property(windows, (window) => {
        expect(parseDayWindow(formatDayWindow(window))).toEqual({ ok: true, window });
      }),
    );
  });
});
