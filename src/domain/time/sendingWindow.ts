// When a schedule lets automatic touches go out: its days, minus holidays, inside its daily hours,
// all in the schedule's zone, and the next such instant when now is not one.

import type { DayWindow, ResolvedSchedule, Weekday } from "../sequence/definition.ts";
import { isSendingDay, SEARCH_LIMIT_DAYS } from "./businessDays.ts";
import { MINUTES_PER_DAY } from "./dayWindow.ts";
import {
  isoDateOfDay,
  localDayAndMinute,
  localDayOf,
  MS_PER_DAY,
  MS_PER_MINUTE,
  utcIntervalsOfWallRanges,
  weekdayOfDay,
} from "./localTime.ts";

// Windows are validated upstream; clamping keeps a stray one from spilling into the next day.
function clamp(window: DayWindow): DayWindow {
  return {
    startMinute: Math.max(0, window.startMinute),
    endMinute: Math.min(MINUTES_PER_DAY, window.endMinute),
  };
}

function insideSomeWindow(minute: number, windows: readonly DayWindow[]): boolean {
  return windows.some((w) => {
    const { startMinute, endMinute } = clamp(w);
    return minute >= startMinute && minute < endMinute;
  });
}

/** Whether an automatic touch may go out at that instant under the schedule. */
export function isSendingTime(atUtcMs: number, s: ResolvedSchedule): boolean {
  const { day, minuteOfDay } = localDayAndMinute(atUtcMs, s.zone);
  return insideSomeWindow(minuteOfDay, s.hours) && isSendingDay(day, s);
}

/**
 * The first instant at or after `atUtcMs` at which the wall clock in `zone` is inside a window on a day
 * `isOpenDay` accepts, or null when there is none within the search limit.
 */
function firstOpenInstant(
  atUtcMs: number,
  zone: string,
  windows: readonly DayWindow[],
  isOpenDay: (day: number) => boolean,
): number | null {
  const ranges = windows.map(clamp).filter((w) => w.endMinute > w.startMinute);
  if (ranges.length === 0) return null;
  // Start a day early: a fall-back across midnight (America/Santiago) brings yesterday's date back.
  const firstDay = localDayOf(atUtcMs, zone) - 1;
  let best: number | null = null;
  let bestDay = Number.POSITIVE_INFINITY;
  for (let day = firstDay; day <= firstDay + SEARCH_LIMIT_DAYS + 1; day++) {
    // Once a candidate is found, only the next day's earliest instants could (with DST) come before it.
    if (day > bestDay + 1) break;
    if (!isOpenDay(day)) continue;
    const intervals = utcIntervalsOfWallRanges(
      zone,
      ranges.map((w) => ({
        startWallMs: day * MS_PER_DAY + w.startMinute * MS_PER_MINUTE,
        endWallMs: day * MS_PER_DAY + w.endMinute * MS_PER_MINUTE,
      })),
    );
    const open = intervals.find((iv) => iv.endUtcMs > atUtcMs);
    if (!open) continue;
    const candidate = Math.max(open.startUtcMs, atUtcMs);
    if (best === null || candidate < best) {
      best = candidate;
      bestDay = Math.min(bestDay, day);
    }
  }
  return best;
}

/**
 * `atUtcMs` when it is a sending time, else the start of the next open window. A window starting in a
 * spring-forward gap opens when the gap ends; a start repeated by a fall-back opens at its first occurrence.
 */
export function nextSendingTime(atUtcMs: number, s: ResolvedSchedule): number {
  if (isSendingTime(atUtcMs, s)) return atUtcMs;
  const next = firstOpenInstant(atUtcMs, s.zone, s.hours, (day) => isSendingDay(day, s));
  if (next === null) {
    throw new Error(
      `schedule has no sending time within ${SEARCH_LIMIT_DAYS} days of ${isoDateOfDay(localDayOf(atUtcMs, s.zone))} ` +
        `(zone ${s.zone}, days [${s.days.join(", ")}], ${s.hours.length} windows, holidays ${s.holidays ?? "none"})`,
    );
  }
  return next;
}

/**
 * The next instant at or after `atUtcMs` inside a daily window in `zone`, optionally on some weekdays
 * only: call windows on tasks, SMS quiet hours. Holidays do not apply; a person decides on those.
 */
export function nextTimeInDailyWindow(
  atUtcMs: number,
  zone: string,
  window: DayWindow,
  days?: Weekday[],
): number {
  const next = firstOpenInstant(atUtcMs, zone, [window], (day) => !days || days.includes(weekdayOfDay(day)));
  if (next === null) {
    throw new Error(
      `no time in window ${window.startMinute}-${window.endMinute} (days [${days?.join(", ") ?? "all"}]) in ${zone}`,
    );
  }
  return next;
}
