// Readers for when a sequence may send: time zone, sending days and hours, holiday calendar, and
// how long before a contact may be enrolled again.

import { formatDayWindow, isKnownHolidayCalendar, isValidTimeZone, parseDelay } from "../time/index.ts";
import type { DayWindow, Weekday } from "./definition.ts";
import { readDelay, readNonEmptyText, readWindow } from "./leaves.ts";
import { describeValue, INVALID, isRecord, type Problems, type Read } from "./problems.ts";
import { closestWord } from "./suggest.ts";
import { closestDayWord, DAY_SETS, WEEKDAYS, weekdayOf } from "./vocabulary.ts";

/** Abbreviations people write for zones: ambiguous, and as zones most ignore daylight saving. */
const ZONE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  EST: "America/New_York",
  EDT: "America/New_York",
  ET: "America/New_York",
  CST: "America/Chicago",
  CDT: "America/Chicago",
  CT: "America/Chicago",
  MST: "America/Denver",
  MDT: "America/Denver",
  MT: "America/Denver",
  PST: "America/Los_Angeles",
  PDT: "America/Los_Angeles",
  PT: "America/Los_Angeles",
  BST: "Europe/London",
  CEST: "Europe/Berlin",
  IST: "Asia/Kolkata",
  AEST: "Australia/Sydney",
  AEDT: "Australia/Sydney",
};

let zoneNames: readonly string[] | null = null;

function knownZoneNames(): readonly string[] {
  zoneNames ??= [...Intl.supportedValuesOf("timeZone"), "UTC"];
  return zoneNames;
}

/** `contact` (the contact's own zone) or an IANA name such as `America/New_York`. */
export function readTimeZone(value: unknown, problems: Problems): Read<string> {
  const text = readNonEmptyText(value, problems, "a time zone");
  if (text === INVALID) return INVALID;
  if (text.toLowerCase() === "contact") return "contact";
  // Checked before validity: the runtime accepts some of these as aliases, silently picking one
  // meaning (EST is fixed UTC-5 all year, BST is Bangladesh), which is rarely the author's.
  const abbreviation = ZONE_ABBREVIATIONS[text.toUpperCase()];
  if (abbreviation) {
    return problems.add(`"${text}" is an abbreviation, not a time zone`, {
      hint: `abbreviations are ambiguous and miss daylight saving changes; did you mean "${abbreviation}"?`,
    });
  }
  const exact = knownZoneNames().find((z) => z.toLowerCase() === text.toLowerCase());
  if (exact) return exact;
  if (isValidTimeZone(text)) return text;
  const near = closestWord(
    text.toLowerCase(),
    knownZoneNames().map((z) => z.toLowerCase()),
  );
  const suggestion = near ? knownZoneNames().find((z) => z.toLowerCase() === near) : undefined;
  return problems.add(`"${text}" is not a time zone`, {
    hint: suggestion
      ? `did you mean "${suggestion}"?`
      : 'write "contact" for each contact\'s own zone, or an IANA name such as "America/New_York"',
  });
}

/** `[mon, tue]`, `weekdays`, `every day`, `mon-fri`, `"mon, wed, fri"`; sorted Monday first. */
export function readDays(value: unknown, problems: Problems): Read<Weekday[]> {
  const days = new Set<Weekday>();
  const readPart = (part: string, at: Problems): boolean => {
    const words = part.trim().toLowerCase().replace(/\s+/g, " ");
    const set = DAY_SETS[words];
    if (set) {
      for (const d of set) days.add(d);
      return true;
    }
    const range = /^(\S+?)\s*(?:-|–|\bto\b|\bthrough\b)\s*(\S+)$/.exec(words);
    if (range) {
      const from = weekdayOf(range[1]!);
      const to = weekdayOf(range[2]!);
      if (from && to) {
        const start = WEEKDAYS.indexOf(from);
        const end = WEEKDAYS.indexOf(to);
        for (let i = start; ; i = (i + 1) % 7) {
          days.add(WEEKDAYS[i]!);
          if (i === end) break;
        }
        return true;
      }
    }
    const day = weekdayOf(words);
    if (day) {
      days.add(day);
      return true;
    }
    const near = closestDayWord(words);
    at.add(`"${part.trim()}" is not a day`, {
      hint: near ? `did you mean "${near}"?` : 'write days as mon, tue, … sun, or "weekdays" / "every day"',
    });
    return false;
  };
  let ok = true;
  if (typeof value === "string") {
    for (const part of value.split(",")) ok = readPart(part, problems) && ok;
  } else if (Array.isArray(value)) {
    value.forEach((entry, i) => {
      if (typeof entry !== "string") {
        problems.under(i).add(`expected a day such as "mon", got ${describeValue(entry)}`);
        ok = false;
      } else ok = readPart(entry, problems.under(i)) && ok;
    });
  } else {
    return problems.add(`expected a list of days, got ${describeValue(value)}`, {
      hint: "e.g. days: [mon, tue, wed, thu, fri] or days: weekdays",
    });
  }
  if (!ok) return INVALID;
  if (days.size === 0)
    return problems.add("no sending days, so nothing would ever be sent", { hint: "e.g. days: weekdays" });
  return WEEKDAYS.filter((d) => days.has(d));
}

/** One window or a list; sorted, and overlapping windows are a mistake worth pointing at. */
export function readHours(value: unknown, problems: Problems): Read<DayWindow[]> {
  const entries = Array.isArray(value) ? value : [value];
  if (entries.length === 0) {
    return problems.add("no sending hours, so nothing would ever be sent", {
      hint: 'e.g. hours: "09:00-17:00"',
    });
  }
  const windows: Array<{ window: DayWindow; index: number }> = [];
  let ok = true;
  entries.forEach((entry, i) => {
    const window = readWindow(entry, Array.isArray(value) ? problems.under(i) : problems);
    if (window === INVALID) ok = false;
    else windows.push({ window, index: i });
  });
  if (!ok) return INVALID;
  windows.sort((a, b) => a.window.startMinute - b.window.startMinute);
  for (let i = 1; i < windows.length; i++) {
    const before = windows[i - 1]!;
    const current = windows[i]!;
    if (current.window.startMinute < before.window.endMinute) {
      const merged = {
        startMinute: before.window.startMinute,
        endMinute: Math.max(before.window.endMinute, current.window.endMinute),
      };
      return problems.add(
        `"${formatDayWindow(current.window)}" overlaps "${formatDayWindow(before.window)}"`,
        {
          path: Array.isArray(value) ? [current.index] : [],
          hint: `merge them into "${formatDayWindow(merged)}"`,
        },
      );
    }
  }
  return windows.map((w) => w.window);
}

/** A date-holidays calendar code (`US`, `DE-BY`); `none` for no holidays. Null means none. */
export function readHolidayCalendar(value: unknown, problems: Problems): Read<string | null> {
  if (value === false) return null;
  const text = readNonEmptyText(value, problems, "a holiday calendar");
  if (text === INVALID) return INVALID;
  if (text.toLowerCase() === "none") return null;
  const code = text.toUpperCase();
  if (!isKnownHolidayCalendar(code)) {
    return problems.add(`"${text}" is not a holiday calendar`, {
      hint: 'use a country code such as "US", "GB" or "DE", optionally with a region: "US-CA", "DE-BY"',
    });
  }
  return code;
}

const REENROLL_EXAMPLES = 'write "never", "after 90 days" or { after: 90d }';

/** `never`, `after 90 days`, `90d`, `{ after: 90d }` → days before a contact may enroll again. */
export function readReenroll(value: unknown, problems: Problems): Read<{ afterDays: number | null }> {
  let after: unknown = value;
  let at = problems;
  if (isRecord(value)) {
    const keys = Object.keys(value);
    for (const key of keys) if (key !== "after") problems.unknownKey(key, ["after"]);
    if (keys.some((k) => k !== "after")) return INVALID;
    if (value.after === undefined)
      return problems.add("`reenroll` needs `after`", { hint: REENROLL_EXAMPLES });
    after = value.after;
    at = problems.under("after");
  } else if (typeof value === "string") {
    const text = value.trim().toLowerCase();
    if (text === "never") return { afterDays: null };
    if (text === "always" || text === "anytime" || text === "any time") return { afterDays: 0 };
    after = value.trim().replace(/^after\s+/i, "");
  } else if (value === false) {
    return { afterDays: null };
  } else if (typeof value !== "number") {
    return problems.add(`expected a re-enrollment rule, got ${describeValue(value)}`, {
      hint: REENROLL_EXAMPLES,
    });
  }
  // Re-enrollment is a calendar notion (stored as days), whatever the schedule's waits say.
  const delay =
    typeof after === "string" || typeof after === "number" ? parseDelay(after, { business: false }) : null;
  if (delay === null)
    return at.add(`expected a number of days, got ${describeValue(after)}`, { hint: REENROLL_EXAMPLES });
  if (!delay.ok) return at.add(delay.message, { hint: delay.hint ?? REENROLL_EXAMPLES });
  switch (delay.delay.kind) {
    case "none":
      return { afterDays: 0 };
    case "days":
      if (delay.delay.business) {
        return at.add("re-enrollment is counted in calendar days", {
          hint: `write "after ${delay.delay.days} days"`,
        });
      }
      return { afterDays: delay.delay.days };
    default:
      return at.add("re-enrollment is counted in whole days", { hint: 'e.g. "after 90 days"' });
  }
}

/** A wait read with the schedule's notion of a day. */
export function delayReader(business: boolean) {
  return (value: unknown, problems: Problems) => readDelay(value, problems, business);
}
