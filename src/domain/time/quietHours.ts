// Quiet hours for automatic texts and voicemail drops: TCPA allows them from 08:00 to 21:00 in
// the recipient's local time (47 CFR 64.1200(c)(1)). A workspace may narrow that window, never
// widen it. Pure: the zone and the instant come in, the next allowed instant goes out.

import { DateTime } from "luxon";
import type { DayWindow, ResolvedSchedule } from "../sequence/definition.ts";
import { nextSendingTime } from "./sendingWindow.ts";

/** The widest window the law allows: [08:00, 21:00) local. */
export const TCPA_WINDOW: DayWindow = { startMinute: 8 * 60, endMinute: 21 * 60 };

/** A configured window clamped into the legal one; an empty result falls back to the legal one. */
export function quietHoursWindow(configured?: Partial<DayWindow> | null): DayWindow {
  const startMinute = Math.max(TCPA_WINDOW.startMinute, Math.floor(configured?.startMinute ?? 0));
  const endMinute = Math.min(TCPA_WINDOW.endMinute, Math.floor(configured?.endMinute ?? 24 * 60));
  return startMinute < endMinute ? { startMinute, endMinute } : TCPA_WINDOW;
}

/** Whether a window is one a workspace may set: inside 08:00–21:00 and not empty. */
export function isAllowedQuietHoursWindow(window: DayWindow): boolean {
  return (
    Number.isInteger(window.startMinute) &&
    Number.isInteger(window.endMinute) &&
    window.startMinute >= TCPA_WINDOW.startMinute &&
    window.endMinute <= TCPA_WINDOW.endMinute &&
    window.startMinute < window.endMinute
  );
}

/** Minutes after local midnight of an instant in a zone (seconds ignored: 20:59:59 is 20:59). */
export function localMinuteOfDay(utcMs: number, zone: string): number {
  const local = DateTime.fromMillis(utcMs, { zone });
  return local.hour * 60 + local.minute;
}

export function isInsideTextingHours(utcMs: number, zone: string, window: DayWindow): boolean {
  const w = quietHoursWindow(window);
  const minute = localMinuteOfDay(utcMs, zone);
  return minute >= w.startMinute && minute < w.endMinute;
}

/**
 * The first instant at or after `utcMs` inside the window in `zone`: `utcMs` itself when it is
 * already allowed, else the window's next local opening. DST-safe: a local opening skipped by a
 * spring-forward jump lands on the first real instant after it, which is then checked again.
 */
export function nextTextingTime(utcMs: number, zone: string, window: DayWindow): number {
  const w = quietHoursWindow(window);
  if (isInsideTextingHours(utcMs, zone, w)) return utcMs;
  const today = DateTime.fromMillis(utcMs, { zone }).startOf("day");
  for (let offset = 0; offset < 4; offset++) {
    const day = today.plus({ days: offset });
    const opening = day.set({ hour: Math.floor(w.startMinute / 60), minute: w.startMinute % 60 });
    // Walk forward minute by minute only across a DST gap (at most an hour or two).
    for (let probe = opening.toMillis(), i = 0; i < 180; i++, probe += 60_000) {
      if (probe >= utcMs && isInsideTextingHours(probe, zone, w)) return probe;
      if (probe >= utcMs && localMinuteOfDay(probe, zone) >= w.endMinute) break;
    }
  }
  throw new Error(`no texting time found after ${new Date(utcMs).toISOString()} in ${zone}`);
}

/**
 * The first instant at or after `atUtcMs` that both the sequence's sending window and the
 * texting hours in the contact's zone allow. Each move only goes forward, and the two are
 * alternated until neither moves the time, so the answer satisfies both.
 */
export function nextPhoneTouchTime(
  atUtcMs: number,
  schedule: ResolvedSchedule,
  contactZone: string,
  window: DayWindow,
): number {
  let at = atUtcMs;
  for (let round = 0; round < 64; round++) {
    const open = nextSendingTime(at, schedule);
    const quiet = nextTextingTime(open, contactZone, window);
    if (quiet === open) return open;
    at = quiet;
  }
  throw new Error(
    `the sending window and texting hours never overlap after ${new Date(atUtcMs).toISOString()} in ${contactZone}`,
  );
}
