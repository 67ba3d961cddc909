// Public holidays by calendar code ("US", "DE", "US-CA", "GB-ENG", "DE-BY-A") from date-holidays,
// reduced to local dates: a sending schedule skips a date that is a full-day public holiday.

import Holidays from "date-holidays";
import { dayOfIsoDate, isoDateOfDay, MS_PER_DAY } from "./localTime.ts";

interface CalendarCode {
  country: string;
  state?: string;
  region?: string;
}

interface HolidayCalendar {
  holidays: Holidays;
  /** Local date → holiday name, filled a year at a time. */
  namesByDate: Map<string, string>;
  loadedYears: Set<number>;
}

// date-holidays' catalogue queries need an instance; one serves every lookup.
let catalogue: Holidays | null = null;
const calendars = new Map<string, HolidayCalendar>();
const knownCodes = new Map<string, boolean>();

function parseCalendarCode(code: string): CalendarCode | null {
  const parts = code.trim().toUpperCase().split("-");
  if (parts.length > 3 || parts.some((p) => !/^[A-Z0-9]+$/.test(p))) return null;
  const [country, state, region] = parts;
  if (!country) return null;
  return { country, ...(state ? { state } : {}), ...(region ? { region } : {}) };
}

function hasKey(entries: Record<string, string> | undefined, key: string): boolean {
  return entries !== undefined && Object.keys(entries).some((k) => k.toUpperCase() === key);
}

/** Whether date-holidays knows the calendar, so a definition naming it can be accepted. */
export function isKnownHolidayCalendar(code: string): boolean {
  const cached = knownCodes.get(code);
  if (cached !== undefined) return cached;
  const parsed = parseCalendarCode(code);
  catalogue ??= new Holidays();
  const known =
    parsed !== null &&
    hasKey(catalogue.getCountries("en"), parsed.country) &&
    (parsed.state === undefined || hasKey(catalogue.getStates(parsed.country, "en"), parsed.state)) &&
    (parsed.region === undefined ||
      (parsed.state !== undefined &&
        hasKey(catalogue.getRegions(parsed.country, parsed.state, "en"), parsed.region)));
  knownCodes.set(code, known);
  return known;
}

function calendarFor(code: string): HolidayCalendar | null {
  const key = code.trim().toUpperCase();
  const cached = calendars.get(key);
  if (cached) return cached;
  if (!isKnownHolidayCalendar(key)) return null;
  const { country, state, region } = parseCalendarCode(key)!;
  const opts = { types: ["public" as const], languages: ["en"] };
  const holidays =
    state === undefined
      ? new Holidays(country, opts)
      : region === undefined
        ? new Holidays(country, state, opts)
        : new Holidays(country, state, region, opts);
  const calendar: HolidayCalendar = { holidays, namesByDate: new Map(), loadedYears: new Set() };
  calendars.set(key, calendar);
  return calendar;
}

function loadYear(calendar: HolidayCalendar, year: number): void {
  if (calendar.loadedYears.has(year)) return;
  calendar.loadedYears.add(year);
  for (const holiday of calendar.holidays.getHolidays(year, "en")) {
    if (holiday.type !== "public") continue;
    // `date` is the calendar's own local "YYYY-MM-DD hh:mm:ss", independent of the process zone.
    // Holidays starting mid-day (e.g. CN's half days for some workers) leave the date a working day.
    const [date, time] = holiday.date.split(" ");
    if (!date || (time !== undefined && time !== "00:00:00")) continue;
    const firstDay = dayOfIsoDate(date);
    if (firstDay === null) continue;
    const lengthDays = Math.max(
      1,
      Math.round((holiday.end.getTime() - holiday.start.getTime()) / MS_PER_DAY),
    );
    for (let i = 0; i < lengthDays; i++) {
      const iso = isoDateOfDay(firstDay + i);
      if (!calendar.namesByDate.has(iso)) calendar.namesByDate.set(iso, holiday.name);
    }
  }
}

/**
 * The public holiday on a local date ("YYYY-MM-DD") in that calendar, or null. An unknown calendar
 * has no holidays: definitions are checked with `isKnownHolidayCalendar` before they get here.
 */
export function holidayName(localIsoDate: string, country: string): string | null {
  if (dayOfIsoDate(localIsoDate) === null) throw new Error(`"${localIsoDate}" is not a YYYY-MM-DD date`);
  const calendar = calendarFor(country);
  if (!calendar) return null;
  const year = Number(localIsoDate.slice(0, 4));
  // A holiday's observed day can fall in the neighbouring year (New Year's Day observed on Dec 31).
  for (const y of [year - 1, year, year + 1]) loadYear(calendar, y);
  return calendar.namesByDate.get(localIsoDate) ?? null;
}

export function isHoliday(localIsoDate: string, country: string): boolean {
  return holidayName(localIsoDate, country) !== null;
}
