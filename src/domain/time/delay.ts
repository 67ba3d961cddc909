// Waits as people write them in definitions ("30m", "2 hours", "3d", "2 business days",
// "next business morning at 09:30") parsed into `Delay`s, with typo hints, and formatted back.

import type { Delay } from "../sequence/definition.ts";
import { closestWords } from "./closestWord.ts";
import { formatTimeOfDay, parseTimeOfDay } from "./dayWindow.ts";

export type DelayResult = { ok: true; delay: Delay } | { ok: false; message: string; hint?: string };

/** Ten years: anything longer is a slip of the keyboard, and bounds the calendar walks. */
export const MAX_DELAY_DAYS = 3650;

type Unit = "minutes" | "hours" | "days" | "calendar_days" | "business_days" | "weeks";
type UnsupportedUnit = "seconds" | "months" | "years" | "business_weeks";

const UNITS: Record<string, Unit> = {
  m: "minutes",
  min: "minutes",
  mins: "minutes",
  minute: "minutes",
  minutes: "minutes",
  h: "hours",
  hr: "hours",
  hrs: "hours",
  hour: "hours",
  hours: "hours",
  d: "days",
  day: "days",
  days: "days",
  "calendar day": "calendar_days",
  "calendar days": "calendar_days",
  bd: "business_days",
  "business day": "business_days",
  "business days": "business_days",
  "working day": "business_days",
  "working days": "business_days",
  workday: "business_days",
  workdays: "business_days",
  w: "weeks",
  wk: "weeks",
  wks: "weeks",
  week: "weeks",
  weeks: "weeks",
};

// Units people reach for that a wait cannot use, known so the hint can offer the nearest one that works.
const UNSUPPORTED_UNITS: Record<string, UnsupportedUnit> = {
  s: "seconds",
  sec: "seconds",
  secs: "seconds",
  second: "seconds",
  seconds: "seconds",
  mo: "months",
  month: "months",
  months: "months",
  y: "years",
  yr: "years",
  yrs: "years",
  year: "years",
  years: "years",
  "business week": "business_weeks",
  "business weeks": "business_weeks",
};

const ALL_UNIT_WORDS = [...Object.keys(UNITS), ...Object.keys(UNSUPPORTED_UNITS)];

const NO_WAIT = new Set(["0", "now", "immediately", "none"]);

// "next business morning" and friends; `morning` ones default to 09:00, the `day` ones without a time
// mean one business day (same time of day), which is what "next business day" says.
const NEXT_PHRASES = [
  "business morning",
  "working morning",
  "business day",
  "working day",
  "workday",
] as const;
const DEFAULT_MORNING_MINUTE = 9 * 60;

const EXAMPLES = 'write e.g. "30m", "2h", "3d", "2 business days" or "next business morning at 09:30"';

const AMOUNT_AND_UNIT = /^([+-]?)(\d+(?:\.\d+)?|\.\d+)(\s*)([a-z][a-z -]*)?$/;
const WORD_AMOUNT_AND_UNIT = /^(a|an|one)(\s+)([a-z][a-z -]*)$/;
const NEXT_PHRASE = /^next\s+(.+?)(?:\s+at\s+(.+))?$/;

function fail(shown: string, hint?: string, message = `"${shown}" is not a duration`): DelayResult {
  return hint === undefined ? { ok: false, message } : { ok: false, message, hint };
}

function plural(n: number, singular: string): string {
  return `${n} ${singular}${n === 1 ? "" : "s"}`;
}

/**
 * Parse a wait. `business` is the schedule's `waits: business` setting: it decides what plain
 * days ("3d") count; "business days" and "calendar days" say so themselves.
 */
export function parseDelay(input: string | number, opts: { business: boolean }): DelayResult {
  if (typeof input === "number") return parseBareNumber(input);
  const shown = input.trim();
  const text = shown.toLowerCase().replace(/\s+/g, " ");
  if (text === "") return fail(shown, 'write e.g. "3d", or "0" for no wait', "the wait is empty");
  if (NO_WAIT.has(text)) return { ok: true, delay: { kind: "none" } };

  const next = NEXT_PHRASE.exec(text);
  if (next) return parseNextPhrase(shown, next[1]!, next[2]);

  const numeric = AMOUNT_AND_UNIT.exec(text);
  if (numeric) {
    const [, sign, amountText, space, unitText] = numeric;
    if (unitText === undefined) return parseBareNumberText(shown, sign!, amountText!);
    return parseAmountAndUnit(shown, sign === "-", Number(amountText), amountText!, space!, unitText!, opts);
  }
  const worded = WORD_AMOUNT_AND_UNIT.exec(text);
  if (worded) return parseAmountAndUnit(shown, false, 1, worded[1]!, worded[2]!, worded[3]!, opts);

  const unitOnly = unitOf(text);
  if (unitOnly !== null) return fail(shown, `put a number first, e.g. "3 ${text}"`);
  return fail(shown, EXAMPLES);
}

function parseBareNumber(n: number): DelayResult {
  if (n === 0) return { ok: true, delay: { kind: "none" } };
  if (!Number.isFinite(n) || n < 0) return fail(String(n), 'write e.g. "3d", or 0 for no wait');
  return fail(
    String(n),
    `add a unit: "${n}d" for days, "${n}h" for hours or "${n}m" for minutes`,
    `${n} has no unit`,
  );
}

function parseBareNumberText(shown: string, sign: string, amountText: string): DelayResult {
  const n = Number(amountText);
  if (n === 0) return { ok: true, delay: { kind: "none" } };
  if (sign === "-")
    return fail(shown, "waits count forward from the previous step", `"${shown}" is negative`);
  return fail(
    shown,
    `add a unit: "${amountText}d" for days, "${amountText}h" for hours or "${amountText}m" for minutes`,
    `"${shown}" has no unit`,
  );
}

function unitOf(text: string): Unit | UnsupportedUnit | null {
  const key = text.replaceAll("-", " ").replace(/\s+/g, " ").trim();
  return UNITS[key] ?? UNSUPPORTED_UNITS[key] ?? null;
}

function parseAmountAndUnit(
  shown: string,
  negative: boolean,
  amount: number,
  amountText: string,
  space: string,
  unitText: string,
  opts: { business: boolean },
): DelayResult {
  const written = (unit: string) => `${amountText}${space}${unit}`;
  let unit = unitOf(unitText);
  if (unit === null) {
    const nearest = closestWords(unitText.replaceAll("-", " ").trim(), ALL_UNIT_WORDS);
    // "5 minuts" is as near "minute" as "minutes": the amount decides.
    const suggestion = nearest.find((w) => w.endsWith("s") === (amount !== 1)) ?? nearest[0];
    if (suggestion === undefined) return fail(shown, EXAMPLES);
    unit = unitOf(suggestion)!;
    if (isSupported(unit)) return fail(shown, `did you mean "${written(suggestion)}"?`);
  }
  if (!isSupported(unit)) return unsupported(shown, amount, unit);
  if (negative && amount !== 0) {
    return fail(
      shown,
      `waits count forward from the previous step: "${written(unitText)}"`,
      `"${shown}" is negative`,
    );
  }
  if (amount === 0) return { ok: true, delay: { kind: "none" } };

  const whole = Number.isInteger(amount);
  switch (unit) {
    case "minutes":
      if (!whole) return fail(shown, `waits count whole minutes, e.g. "${Math.ceil(amount)}m"`);
      return bounded(shown, amount / (24 * 60), { kind: "minutes", minutes: amount });
    case "hours":
      if (whole) return bounded(shown, amount / 24, { kind: "hours", hours: amount });
      // "1.5h" is a clear 90 minutes; "1.33h" is not a whole number of minutes.
      if (Number.isInteger(amount * 60))
        return bounded(shown, amount / 24, { kind: "minutes", minutes: amount * 60 });
      return fail(shown, `waits count whole minutes, e.g. "${Math.round(amount * 60)}m"`);
    case "days":
    case "calendar_days":
    case "business_days": {
      const business = unit === "business_days" || (unit === "days" && opts.business);
      if (!whole) {
        const hours = amount * 24;
        return fail(
          shown,
          !business && Number.isInteger(hours)
            ? `use whole days, or hours: "${hours}h"`
            : `use whole days, e.g. "${Math.ceil(amount)}${space}${unitText}"`,
          `"${shown}" is not a whole number of days`,
        );
      }
      return bounded(shown, amount, { kind: "days", days: amount, business });
    }
    case "weeks":
      if (!whole) {
        return fail(
          shown,
          `use whole weeks or days, e.g. "${Math.ceil(amount * 7)} days"`,
          `"${shown}" is not a whole number of weeks`,
        );
      }
      return bounded(shown, amount * 7, { kind: "days", days: amount * 7, business: false });
    default: {
      const unhandled: never = unit;
      throw new Error(`unhandled unit ${String(unhandled)}`);
    }
  }
}

function isSupported(unit: Unit | UnsupportedUnit): unit is Unit {
  return unit in SUPPORTED_UNIT_KINDS;
}

const SUPPORTED_UNIT_KINDS: Record<Unit, true> = {
  minutes: true,
  hours: true,
  days: true,
  calendar_days: true,
  business_days: true,
  weeks: true,
};

function unsupported(shown: string, amount: number, unit: UnsupportedUnit): DelayResult {
  const n = Number.isInteger(amount) && amount > 0 ? amount : 1;
  switch (unit) {
    case "seconds":
      return fail(
        shown,
        'the shortest wait is a minute: "1m", or "0" for no wait',
        `"${shown}" is shorter than a minute`,
      );
    case "months":
      return fail(shown, `count months in days, e.g. "${n * 30} days"`);
    case "years":
      return fail(shown, `count years in days, e.g. "${n * 365} days"`);
    case "business_weeks":
      return fail(shown, `count business days instead, e.g. "${n * 5} business days"`);
    default: {
      const unhandled: never = unit;
      throw new Error(`unhandled unit ${String(unhandled)}`);
    }
  }
}

function bounded(shown: string, lengthDays: number, delay: Delay): DelayResult {
  if (lengthDays > MAX_DELAY_DAYS) {
    return fail(shown, `the longest wait is ${MAX_DELAY_DAYS} days (ten years)`, `"${shown}" is too long`);
  }
  return { ok: true, delay };
}

function parseNextPhrase(shown: string, phraseText: string, timeText: string | undefined): DelayResult {
  const phrase = phraseText.replaceAll("-", " ").trim();
  if (!(NEXT_PHRASES as readonly string[]).includes(phrase)) {
    const suggestion = closestWords(phrase, NEXT_PHRASES)[0];
    const corrected = `next ${suggestion ?? "business morning"}${timeText === undefined ? "" : ` at ${timeText}`}`;
    return fail(shown, `did you mean "${corrected}"?`);
  }
  if (timeText === undefined) {
    if (phrase.endsWith("morning"))
      return { ok: true, delay: { kind: "next_business_morning", atMinute: DEFAULT_MORNING_MINUTE } };
    return { ok: true, delay: { kind: "days", days: 1, business: true } };
  }
  const time = parseTimeOfDay(timeText);
  if (!time.ok) return time;
  return { ok: true, delay: { kind: "next_business_morning", atMinute: time.minute } };
}

/** A wait in words that `parseDelay` reads back to the same `Delay`, whatever the schedule's `waits`. */
export function formatDelay(delay: Delay): string {
  switch (delay.kind) {
    case "none":
      return "now";
    case "minutes":
      return plural(delay.minutes, "minute");
    case "hours":
      return Number.isInteger(delay.hours) ? plural(delay.hours, "hour") : plural(delay.hours * 60, "minute");
    case "days":
      if (delay.business) return plural(delay.days, "business day");
      // Calendar days say so, because a plain "3 days" reads as business days under `waits: business`.
      return delay.days % 7 === 0 && delay.days > 0
        ? plural(delay.days / 7, "week")
        : plural(delay.days, "calendar day");
    case "next_business_morning":
      return `next business morning at ${formatTimeOfDay(delay.atMinute)}`;
    default: {
      const unhandled: never = delay;
      throw new Error(`unhandled delay ${JSON.stringify(unhandled)}`);
    }
  }
}
