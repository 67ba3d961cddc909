// Times of day and daily windows as written in definitions ("09:30", "09:00-17:30", "9am-5pm"),
// parsed into minutes after local midnight and formatted back the same way.

import type { DayWindow } from "../sequence/definition.ts";

export const MINUTES_PER_DAY = 24 * 60;

export type TimeOfDayResult = { ok: true; minute: number } | { ok: false; message: string; hint?: string };
export type DayWindowResult = { ok: true; window: DayWindow } | { ok: false; message: string; hint?: string };

const TIME_OF_DAY = /^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/;

/**
 * "09:30", "9:30", "9", "14h30", "9am", "5:30 pm" → minutes after midnight. "24:00" is only
 * meaningful as the end of a window, so callers opt in with `allowEndOfDay`.
 */
export function parseTimeOfDay(text: string, opts: { allowEndOfDay?: boolean } = {}): TimeOfDayResult {
  const normalized = text.trim().toLowerCase();
  const m = TIME_OF_DAY.exec(normalized);
  const notATime = {
    ok: false as const,
    message: `"${text.trim()}" is not a time of day`,
    hint: 'write 24-hour HH:MM, e.g. "09:30" or "17:00"',
  };
  if (!m) return notATime;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const meridiem = m[3]?.replaceAll(".", "");
  if (minute > 59 || hour > 24) return notATime;
  if (meridiem) {
    if (hour < 1 || hour > 12) {
      return {
        ...notATime,
        hint: `with am/pm the hour runs 1–12; or write 24-hour "${pad(hour)}:${pad(minute)}"`,
      };
    }
    hour = (hour % 12) + (meridiem === "pm" ? 12 : 0);
  }
  const total = hour * 60 + minute;
  if (total === MINUTES_PER_DAY && opts.allowEndOfDay) return { ok: true, minute: total };
  if (total >= MINUTES_PER_DAY) {
    return {
      ok: false,
      message: `"${text.trim()}" is past the end of the day`,
      hint: opts.allowEndOfDay ? 'the latest time is "24:00" (midnight)' : 'the latest time is "23:59"',
    };
  }
  return { ok: true, minute: total };
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** Minutes after midnight as "HH:MM"; 1440 is "24:00", the end of the day. */
export function formatTimeOfDay(minute: number): string {
  return `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
}

// Hyphen, en dash, em dash, or the word "to", with any spacing around them.
const WINDOW_SEPARATOR = /\s*(?:-|–|—|\bto\b)\s*/;

/** "09:00-12:00", "9:00–17:30", "9-17", "9am to 5pm" → a window inside one day; "00:00-24:00" is all day. */
export function parseDayWindow(text: string): DayWindowResult {
  const shown = text.trim();
  const parts = shown.split(WINDOW_SEPARATOR);
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    return {
      ok: false,
      message: `"${shown}" is not a time window`,
      hint: 'write start-end in 24-hour time, e.g. "09:00-17:00"',
    };
  }
  const start = parseTimeOfDay(parts[0]);
  if (!start.ok) return start;
  const end = parseTimeOfDay(parts[1], { allowEndOfDay: true });
  if (!end.ok) return end;
  if (end.minute <= start.minute) {
    const from = formatTimeOfDay(start.minute);
    const to = formatTimeOfDay(end.minute);
    return {
      ok: false,
      message: `"${shown}" ends ${end.minute === start.minute ? "when" : "before"} it starts`,
      hint:
        end.minute < start.minute
          ? `a window stays inside one day: split it into "${from}-24:00" and "00:00-${to}"`
          : 'give the window a length, e.g. "09:00-17:00"',
    };
  }
  return { ok: true, window: { startMinute: start.minute, endMinute: end.minute } };
}

/** A window as "09:00-17:30": what `parseDayWindow` reads back to the same window. */
export function formatDayWindow(window: DayWindow): string {
  return `${formatTimeOfDay(window.startMinute)}-${formatTimeOfDay(window.endMinute)}`;
}
