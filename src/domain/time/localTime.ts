// Wall-clock time in IANA zones: instants (UTC ms) to local dates and times and back, DST included.
// Local dates are day numbers (days since 1970-01-01) and wall times are "wall ms" (the local reading as if UTC).

import { DateTime, IANAZone } from "luxon";
import type { Weekday } from "../sequence/definition.ts";

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** Weekdays indexed like `Date#getUTCDay()`: 0 is Sunday. */
const WEEKDAYS_FROM_SUNDAY: readonly Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** The weekdays in definition order, Monday first. */
export const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

// UTC offsets on Earth lie within [-12h, +14h]; a margin past both keeps searches exhaustive.
const MAX_OFFSET_BEHIND_MS = 13 * MS_PER_HOUR;
const MAX_OFFSET_AHEAD_MS = 15 * MS_PER_HOUR;
// Zones never change offset twice within this span, so sampling at this pace finds every transition.
const OFFSET_SAMPLE_MS = 12 * MS_PER_HOUR;

interface ZoneClock {
  luxon: IANAZone;
  /** Formats only the offset ("GMT-05:00"): several times faster than Luxon's formatToParts. */
  offsetFormat: Intl.DateTimeFormat;
}

const zoneCache = new Map<string, ZoneClock>();

/** Whether `name` is an IANA zone this runtime knows (e.g. "Europe/Berlin", "UTC"). */
export function isValidTimeZone(name: string): boolean {
  return name.trim() !== "" && IANAZone.isValidZone(name);
}

function zoneClock(name: string): ZoneClock {
  let clock = zoneCache.get(name);
  if (!clock) {
    // Zones are validated where definitions and contacts come in; an unknown one here is a bug.
    if (!isValidTimeZone(name)) throw new Error(`unknown time zone "${name}"`);
    clock = {
      luxon: IANAZone.create(name),
      offsetFormat: new Intl.DateTimeFormat("en-US", { timeZone: name, timeZoneName: "longOffset" }),
    };
    zoneCache.set(name, clock);
  }
  return clock;
}

const LONG_OFFSET = /GMT(?:([+-])(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** How far the zone's wall clock is ahead of UTC at that instant. */
export function offsetMsAt(zone: string, utcMs: number): number {
  const clock = zoneClock(zone);
  const m = LONG_OFFSET.exec(clock.offsetFormat.format(utcMs));
  if (!m) return Math.round(clock.luxon.offset(utcMs) * MS_PER_MINUTE);
  if (m[1] === undefined) return 0;
  const magnitude = (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) * 1000;
  return m[1] === "-" ? -magnitude : magnitude;
}

export function wallMsOf(utcMs: number, zone: string): number {
  return utcMs + offsetMsAt(zone, utcMs);
}

/** The local date of an instant, as a day number. */
export function localDayOf(utcMs: number, zone: string): number {
  return Math.floor(wallMsOf(utcMs, zone) / MS_PER_DAY);
}

export function weekdayOfDay(day: number): Weekday {
  // Day 0 (1970-01-01) was a Thursday.
  return WEEKDAYS_FROM_SUNDAY[(((day + 4) % 7) + 7) % 7]!;
}

export function isoDateOfDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The day number of a "YYYY-MM-DD" date, or null when it is not a real calendar date. */
export function dayOfIsoDate(isoDate: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return null;
  const [year, month, date] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, date);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== date) return null;
  return ms / MS_PER_DAY;
}

export function weekdayOf(atUtcMs: number, zone: string): Weekday {
  return weekdayOfDay(localDayOf(atUtcMs, zone));
}

/** The local calendar date of an instant, "YYYY-MM-DD". */
export function localIsoDate(atUtcMs: number, zone: string): string {
  return isoDateOfDay(localDayOf(atUtcMs, zone));
}

/** The local day number and minutes after local midnight (fractions dropped) of an instant. */
export function localDayAndMinute(atUtcMs: number, zone: string): { day: number; minuteOfDay: number } {
  const wallMs = wallMsOf(atUtcMs, zone);
  const day = Math.floor(wallMs / MS_PER_DAY);
  return { day, minuteOfDay: Math.floor((wallMs - day * MS_PER_DAY) / MS_PER_MINUTE) };
}

/** Minutes after local midnight, fractions dropped: what `DayWindow`s are compared with. */
export function localMinuteOfDay(atUtcMs: number, zone: string): number {
  return localDayAndMinute(atUtcMs, zone).minuteOfDay;
}

interface OffsetSpan {
  startUtcMs: number;
  endUtcMs: number;
  offsetMs: number;
}

/** [fromUtcMs, toUtcMs) cut where the zone's offset changes, each piece with its constant offset. */
function offsetSpans(zone: string, fromUtcMs: number, toUtcMs: number): OffsetSpan[] {
  const spans: OffsetSpan[] = [];
  let spanStart = fromUtcMs;
  let spanOffset = offsetMsAt(zone, fromUtcMs);
  let probe = fromUtcMs;
  while (probe < toUtcMs) {
    const next = Math.min(probe + OFFSET_SAMPLE_MS, toUtcMs);
    const nextOffset = offsetMsAt(zone, next);
    if (nextOffset !== spanOffset) {
      // Bisect to the exact millisecond the new offset starts.
      let lo = probe;
      let hi = next;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetMsAt(zone, mid) === spanOffset) lo = mid;
        else hi = mid;
      }
      spans.push({ startUtcMs: spanStart, endUtcMs: hi, offsetMs: spanOffset });
      spanStart = hi;
      spanOffset = nextOffset;
    }
    probe = next;
  }
  spans.push({ startUtcMs: spanStart, endUtcMs: toUtcMs, offsetMs: spanOffset });
  return spans;
}

export interface UtcInterval {
  startUtcMs: number;
  endUtcMs: number;
}

export interface WallRange {
  startWallMs: number;
  endWallMs: number;
}

/**
 * Every instant whose wall clock reads within one of the ranges, as sorted disjoint intervals.
 * Wall times skipped by a spring-forward gap have no instant; times a fall-back repeats have two.
 */
export function utcIntervalsOfWallRanges(zone: string, ranges: readonly WallRange[]): UtcInterval[] {
  const nonEmpty = ranges.filter((r) => r.endWallMs > r.startWallMs);
  if (nonEmpty.length === 0) return [];
  const fromUtcMs = Math.min(...nonEmpty.map((r) => r.startWallMs)) - MAX_OFFSET_AHEAD_MS;
  const toUtcMs = Math.max(...nonEmpty.map((r) => r.endWallMs)) + MAX_OFFSET_BEHIND_MS;
  const pieces: UtcInterval[] = [];
  // Within a span the offset is constant, so the wall clock is a shift of UTC and each range maps to one piece.
  for (const span of offsetSpans(zone, fromUtcMs, toUtcMs)) {
    for (const range of nonEmpty) {
      const startUtcMs = Math.max(span.startUtcMs, range.startWallMs - span.offsetMs);
      const endUtcMs = Math.min(span.endUtcMs, range.endWallMs - span.offsetMs);
      if (startUtcMs < endUtcMs) pieces.push({ startUtcMs, endUtcMs });
    }
  }
  pieces.sort((a, b) => a.startUtcMs - b.startUtcMs);
  const merged: UtcInterval[] = [];
  for (const piece of pieces) {
    const last = merged[merged.length - 1];
    if (last && last.endUtcMs >= piece.startUtcMs) last.endUtcMs = Math.max(last.endUtcMs, piece.endUtcMs);
    else merged.push({ ...piece });
  }
  return merged;
}

/**
 * The first instant whose wall clock reads `wallMs` or later: the instant itself when the reading
 * exists, its first occurrence when a fall-back repeats it, the end of the gap when spring-forward skips it.
 */
export function firstInstantAtOrAfterWall(zone: string, wallMs: number): number {
  for (const span of offsetSpans(zone, wallMs - MAX_OFFSET_AHEAD_MS, wallMs + MAX_OFFSET_BEHIND_MS)) {
    const candidate = Math.max(span.startUtcMs, wallMs - span.offsetMs);
    if (candidate < span.endUtcMs) return candidate;
  }
  throw new Error(`no instant in ${zone} reads ${new Date(wallMs).toISOString()} or later within a day`);
}

/** The instant a local date and time of day happen (see `firstInstantAtOrAfterWall` for DST). */
export function instantOfLocal(zone: string, day: number, msOfDay: number): number {
  return firstInstantAtOrAfterWall(zone, day * MS_PER_DAY + msOfDay);
}

function luxonAt(atUtcMs: number, zone: string): DateTime {
  zoneClock(zone);
  return DateTime.fromMillis(atUtcMs, { zone, locale: "en-US" });
}

/** Human local time for simulate output and logs, e.g. "Tue 2026-12-01 09:30 EST". */
export function formatLocal(atUtcMs: number, zone: string): string {
  return luxonAt(atUtcMs, zone).toFormat("ccc yyyy-MM-dd HH:mm ZZZZ");
}

/** ISO 8601 local time with its offset, e.g. "2026-12-01T09:30:00-05:00". */
export function localIso(atUtcMs: number, zone: string): string {
  const dt = luxonAt(atUtcMs, zone);
  return dt.toFormat(dt.millisecond === 0 ? "yyyy-MM-dd'T'HH:mm:ssZZ" : "yyyy-MM-dd'T'HH:mm:ss.SSSZZ");
}
