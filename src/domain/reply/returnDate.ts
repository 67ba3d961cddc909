// Finds the day an out-of-office author is back, in English, German, French, Spanish, Dutch,
// Portuguese and Swedish: dates written as words or numbers, read next to the words around them
// ("back on 7 December" is the return day, "until Dec 4" means back the day after).

import { DateTime } from "luxon";
import type { ReplyLanguage } from "./language.ts";

export interface ReturnDateOptions {
  receivedAtUtcMs: number;
  zone: string;
  language: ReplyLanguage;
}

type Cue = "return" | "until" | "after";

interface DateMention {
  start: number;
  end: number;
  kind: "date" | "month" | "weekday" | "tomorrow";
  /** Resolved calendar date (for `month`: the first day of that month). */
  date: DateTime;
  /** `month` mentions written as "end of March" mean back on the first of the month after. */
  endOfMonth?: boolean;
}

const MONTHS: Record<ReplyLanguage, Record<string, number>> = {
  en: {
    january: 1,
    jan: 1,
    february: 2,
    feb: 2,
    march: 3,
    mar: 3,
    april: 4,
    apr: 4,
    may: 5,
    june: 6,
    jun: 6,
    july: 7,
    jul: 7,
    august: 8,
    aug: 8,
    september: 9,
    sept: 9,
    sep: 9,
    october: 10,
    oct: 10,
    november: 11,
    nov: 11,
    december: 12,
    dec: 12,
  },
  de: {
    januar: 1,
    jänner: 1,
    jan: 1,
    februar: 2,
    feb: 2,
    märz: 3,
    maerz: 3,
    mär: 3,
    mrz: 3,
    april: 4,
    apr: 4,
    mai: 5,
    juni: 6,
    jun: 6,
    juli: 7,
    jul: 7,
    august: 8,
    aug: 8,
    september: 9,
    sept: 9,
    sep: 9,
    oktober: 10,
    okt: 10,
    november: 11,
    nov: 11,
    dezember: 12,
    dez: 12,
  },
  fr: {
    janvier: 1,
    janv: 1,
    février: 2,
    fevrier: 2,
    févr: 2,
    fevr: 2,
    mars: 3,
    avril: 4,
    avr: 4,
    mai: 5,
    juin: 6,
    juillet: 7,
    juil: 7,
    août: 8,
    aout: 8,
    septembre: 9,
    sept: 9,
    octobre: 10,
    oct: 10,
    novembre: 11,
    nov: 11,
    décembre: 12,
    decembre: 12,
    déc: 12,
    dec: 12,
  },
  es: {
    enero: 1,
    ene: 1,
    febrero: 2,
    feb: 2,
    marzo: 3,
    mar: 3,
    abril: 4,
    abr: 4,
    mayo: 5,
    may: 5,
    junio: 6,
    jun: 6,
    julio: 7,
    jul: 7,
    agosto: 8,
    ago: 8,
    septiembre: 9,
    setiembre: 9,
    sept: 9,
    sep: 9,
    octubre: 10,
    oct: 10,
    noviembre: 11,
    nov: 11,
    diciembre: 12,
    dic: 12,
  },
  nl: {
    januari: 1,
    jan: 1,
    februari: 2,
    feb: 2,
    maart: 3,
    mrt: 3,
    april: 4,
    apr: 4,
    mei: 5,
    juni: 6,
    jun: 6,
    juli: 7,
    jul: 7,
    augustus: 8,
    aug: 8,
    september: 9,
    sept: 9,
    sep: 9,
    oktober: 10,
    okt: 10,
    november: 11,
    nov: 11,
    december: 12,
    dec: 12,
  },
  pt: {
    janeiro: 1,
    jan: 1,
    fevereiro: 2,
    fev: 2,
    março: 3,
    marco: 3,
    mar: 3,
    abril: 4,
    abr: 4,
    maio: 5,
    mai: 5,
    junho: 6,
    jun: 6,
    julho: 7,
    jul: 7,
    agosto: 8,
    ago: 8,
    setembro: 9,
    set: 9,
    outubro: 10,
    out: 10,
    novembro: 11,
    nov: 11,
    dezembro: 12,
    dez: 12,
  },
  sv: {
    januari: 1,
    jan: 1,
    februari: 2,
    feb: 2,
    mars: 3,
    mar: 3,
    april: 4,
    apr: 4,
    maj: 5,
    juni: 6,
    jun: 6,
    juli: 7,
    jul: 7,
    augusti: 8,
    aug: 8,
    september: 9,
    sept: 9,
    sep: 9,
    oktober: 10,
    okt: 10,
    november: 11,
    nov: 11,
    december: 12,
    dec: 12,
  },
};

// Abbreviations that are everyday words elsewhere ("out", "set", "ago") only count in their language.
const FOREIGN_ONLY = new Set(["out", "set", "ago", "mar", "ene", "dez", "mai", "maj"]);

const WEEKDAYS: Record<string, number> = {
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
  sunday: 7,
  montag: 1,
  dienstag: 2,
  mittwoch: 3,
  donnerstag: 4,
  freitag: 5,
  samstag: 6,
  sonntag: 7,
  lundi: 1,
  mardi: 2,
  mercredi: 3,
  jeudi: 4,
  vendredi: 5,
  samedi: 6,
  dimanche: 7,
  lunes: 1,
  martes: 2,
  miércoles: 3,
  miercoles: 3,
  jueves: 4,
  viernes: 5,
  sábado: 6,
  sabado: 6,
  domingo: 7,
  maandag: 1,
  dinsdag: 2,
  woensdag: 3,
  donderdag: 4,
  vrijdag: 5,
  zaterdag: 6,
  zondag: 7,
  "segunda-feira": 1,
  "terça-feira": 2,
  "quarta-feira": 3,
  "quinta-feira": 4,
  "sexta-feira": 5,
  måndag: 1,
  tisdag: 2,
  onsdag: 3,
  torsdag: 4,
  fredag: 5,
  lördag: 6,
  söndag: 7,
};

const TOMORROW =
  /(?<![\p{L}])(tomorrow|demain|mañana|amanhã|imorgon)(?![\p{L}])|(?<!guten\s)(?<![\p{L}])(morgen)(?![\p{L}])/giu;

// Builds a case-insensitive pattern for whole words; `\b` is ASCII-only and misses "åter", "à".
function words(list: readonly string[], suffix = ""): RegExp {
  const body = [...list]
    .sort((a, b) => b.length - a.length)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("|");
  return new RegExp(`(?<![\\p{L}])(?:${body})(?![\\p{L}])${suffix}`, "giu");
}

// Words that put a date on the day the author is back: "back on", "wieder im Büro", "de retour le".
const RETURN_BEFORE = words([
  "back",
  "return",
  "returning",
  "returns",
  "resume",
  "resuming",
  "available again",
  "reachable again",
  "in the office again",
  "respond",
  "reply",
  "get back to you",
  "zurück",
  "wieder",
  "retour",
  "rentre",
  "rentrerai",
  "reviens",
  "reviendrai",
  "répondrai",
  "vuelta",
  "regreso",
  "regresaré",
  "regresare",
  "regresa",
  "vuelvo",
  "volveré",
  "volvere",
  "reincorporo",
  "reincorporaré",
  "responderé",
  "weer",
  "terug",
  "retorno",
  "retornarei",
  "de volta",
  "volto",
  "voltarei",
  "responderei",
  "tillbaka",
  "åter",
  "igen",
]);
// Words that end an absence: the author is back the day after ("until Dec 4", "bis zum 4.12.").
const UNTIL_BEFORE = words([
  "until",
  "till",
  "til",
  "through",
  "thru",
  "up to and including",
  "bis",
  "einschließlich",
  "einschl.",
  "jusqu'au",
  "jusqu’au",
  "jusqu'à",
  "jusqu’à",
  "hasta",
  "tot en met",
  "t/m",
  "tot",
  "até",
  "till och med",
  "t.o.m.",
]);
// Range separators only end an absence when a start was written before them ("23 – 4 Dec").
const RANGE_BEFORE = /(?<![\p{L}])(?:to|and|au|al|a|und|en|e|och)(?![\p{L}])|[-–—]/giu;
const AFTER_BEFORE =
  /(?<![\p{L}])(?:after|nach dem|nach|après le|après|después del|después de|na|efter)\s*$/iu;
const RETURN_AFTER =
  /^[\s,.)]*(?:\p{L}+\s+){0,4}?(?:wieder|zurück|back|de retour|de vuelta|weer|terug|tillbaka|de volta|again)(?![\p{L}])/iu;
const END_OF_MONTH =
  /(?<![\p{L}])(?:end of|the end of|ende|fin|finales de|fines de|eind|final de|slutet av)\s*$/iu;

const CUE_REACH = 40;

export function findReturnDate(text: string, opts: ReturnDateOptions): string | null {
  const received = receivedDay(opts);
  const mentions = findMentions(text, opts.language, received);
  let best: { priority: number; date: DateTime } | null = null;
  for (const mention of mentions) {
    const cue = cueFor(text, mention);
    if (!cue) continue;
    const returnDay = dayBack(mention, cue);
    if (!returnDay) continue;
    // An explicit return day beats an "until", a full date beats a bare weekday or month, and
    // among equals the first written wins. Days already past when the message arrived are kept
    // only when nothing else is written.
    const stale = returnDay < received ? 4 : 0;
    const vague = mention.kind === "date" ? 0 : 2;
    const priority = (cue === "return" ? 0 : 1) + vague + stale;
    if (!best || priority < best.priority) best = { priority, date: returnDay };
  }
  return best ? best.date.toISODate() : null;
}

function receivedDay(opts: ReturnDateOptions): DateTime {
  const inZone = DateTime.fromMillis(opts.receivedAtUtcMs, { zone: opts.zone });
  const local = inZone.isValid ? inZone : DateTime.fromMillis(opts.receivedAtUtcMs, { zone: "utc" });
  return DateTime.utc(local.year, local.month, local.day);
}

function dayBack(mention: DateMention, cue: Cue): DateTime | null {
  if (mention.kind === "month") {
    if (mention.endOfMonth) return mention.date.plus({ months: 1 });
    return cue === "return" ? mention.date : null;
  }
  if (mention.kind === "weekday" || mention.kind === "tomorrow") return mention.date;
  return cue === "return" ? mention.date : mention.date.plus({ days: 1 });
}

function cueFor(text: string, mention: DateMention): Cue | null {
  const windowStart = Math.max(0, mention.start - 80);
  let before = text.slice(windowStart, mention.start);
  const sentenceBreak = Math.max(before.lastIndexOf("\n\n"), lastSentenceEnd(before));
  if (sentenceBreak >= 0) before = before.slice(sentenceBreak + 1);
  const lowerBefore = before.toLowerCase();

  if (AFTER_BEFORE.test(lowerBefore) && mention.kind === "date") return "until";
  if (mention.kind === "month" && END_OF_MONTH.test(lowerBefore)) return "until";

  const lastReturn = lastMatchEnd(RETURN_BEFORE, lowerBefore);
  const lastUntil = lastMatchEnd(UNTIL_BEFORE, lowerBefore);
  const lastRange = rangeEnd(lowerBefore);
  const closestUntil = Math.max(lastUntil, lastRange);
  const nearest = Math.max(lastReturn, closestUntil);
  if (nearest >= 0 && lowerBefore.length - nearest <= CUE_REACH) {
    return nearest === lastReturn ? "return" : "until";
  }

  let after = text.slice(mention.end, mention.end + 60);
  const afterBreak = after.search(/[!?\n]|\.\s/);
  if (afterBreak >= 0) after = after.slice(0, afterBreak);
  if (RETURN_AFTER.test(after)) return "return";
  return null;
}

function lastSentenceEnd(text: string): number {
  let last = -1;
  for (const match of text.matchAll(/[!?]\s|\.\s+(?=\p{Lu})|\n/gu)) last = match.index;
  return last;
}

function lastMatchEnd(pattern: RegExp, text: string): number {
  let end = -1;
  for (const match of text.matchAll(pattern)) end = match.index + match[0].length;
  return end;
}

// "from 23 November to 4 December", "du 23 au 4 décembre", "23.–27.11.": a separator with a start before it.
function rangeEnd(text: string): number {
  let end = -1;
  for (const match of text.matchAll(RANGE_BEFORE)) {
    const hasStart = /\d/.test(text.slice(0, match.index));
    if (hasStart) end = match.index + match[0].length;
  }
  return end;
}

interface LanguagePatterns {
  months: Record<string, number>;
  dayMonth: RegExp;
  monthDay: RegExp;
  monthOnly: RegExp;
  weekday: RegExp;
}

const PATTERNS_BY_LANGUAGE = new Map<ReplyLanguage, LanguagePatterns>();

// Month names differ per language, so the date patterns are built once per language and kept.
function patternsFor(language: ReplyLanguage): LanguagePatterns {
  const cached = PATTERNS_BY_LANGUAGE.get(language);
  if (cached) return cached;
  const months = monthTable(language);
  const monthAlternation = alternation(Object.keys(months));
  const patterns: LanguagePatterns = {
    months,
    dayMonth: new RegExp(
      `(?<![\\d\\p{L}])(\\d{1,2})(?:st|nd|rd|th|er|e|º|°|\\.)?\\s*(?:of\\s+|de\\s+|-)?(${monthAlternation})\\.?(?:,?\\s*(?:de\\s+|del\\s+)?(\\d{4}))?(?![\\p{L}])`,
      "giu",
    ),
    monthDay: new RegExp(
      `(?<![\\p{L}])(${monthAlternation})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?(?!\\d)(?:,?\\s+(\\d{4}))?`,
      "giu",
    ),
    monthOnly: new RegExp(`(?<![\\p{L}\\d])(${monthAlternation})(?![\\p{L}])(?:\\s+(\\d{4}))?`, "giu"),
    weekday: new RegExp(`(?<![\\p{L}])(${alternation(Object.keys(WEEKDAYS))})(?![\\p{L}-])`, "giu"),
  };
  PATTERNS_BY_LANGUAGE.set(language, patterns);
  return patterns;
}

function findMentions(text: string, language: ReplyLanguage, received: DateTime): DateMention[] {
  const { months, dayMonth, monthDay, monthOnly, weekday } = patternsFor(language);
  const mentions: DateMention[] = [];
  const taken: [number, number][] = [];
  const add = (mention: DateMention | null) => {
    if (!mention) return;
    if (taken.some(([start, end]) => mention.start < end && start < mention.end)) return;
    taken.push([mention.start, mention.end]);
    mentions.push(mention);
  };

  for (const m of text.matchAll(/(?<![\d.])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])/g)) {
    add(dateMention(m, Number(m[1]), Number(m[2]), Number(m[3]), received));
  }
  for (const m of text.matchAll(/(?<![\d./-])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?!\d|[./-]\d)/g)) {
    const year = fullYear(m[4]);
    const [month, day] = numericOrder(language, m[2] ?? ".", Number(m[1]), Number(m[3]));
    const preferred = dateMention(m, year, month, day, received);
    // "07/12/2026" read the language's way may land in the past; an absence ends in the future,
    // so the other reading wins when only it is still to come.
    const other = dateMention(m, year, day, month, received);
    const preferredPast = !preferred || preferred.date < received;
    add(preferredPast && other && other.date >= received ? other : preferred);
  }
  for (const m of text.matchAll(dayMonth)) {
    add(dateMention(m, m[3] ? Number(m[3]) : null, months[lower(m[2])] ?? 0, Number(m[1]), received));
  }
  for (const m of text.matchAll(monthDay)) {
    add(dateMention(m, m[3] ? Number(m[3]) : null, months[lower(m[1])] ?? 0, Number(m[2]), received));
  }
  for (const m of text.matchAll(/(?<![\d./-])(\d{1,2})\.(\d{1,2})\.(?!\d)/g)) {
    add(dateMention(m, null, Number(m[2]), Number(m[1]), received));
  }
  for (const m of text.matchAll(/(?<![\d./-])(\d{1,2})\/(\d{1,2})(?![\d/])/g)) {
    const [month, day] = numericOrder(language, "/", Number(m[1]), Number(m[2]));
    add(dateMention(m, null, month, day, received));
  }
  for (const m of text.matchAll(monthOnly)) {
    // Short forms alone ("mar", "may") are too often ordinary words to stand without a day.
    if (lower(m[1]).length < 4) continue;
    const month = months[lower(m[1])] ?? 0;
    const start = m.index;
    const before = text.slice(Math.max(0, start - 20), start).toLowerCase();
    const mention = dateMention(m, m[2] ? Number(m[2]) : null, month, 1, received.set({ day: 1 }));
    if (mention) add({ ...mention, kind: "month", endOfMonth: END_OF_MONTH.test(before) });
  }
  for (const m of text.matchAll(weekday)) {
    const target = WEEKDAYS[lower(m[1])] ?? 1;
    // A weekday written just before a full date ("Monday, December 7") is part of that date.
    if (followsDate(m.index + m[0].length, mentions)) continue;
    const daysAhead = ((target - received.weekday + 7) % 7) + (target === received.weekday ? 7 : 0);
    add({
      start: m.index,
      end: m.index + m[0].length,
      kind: "weekday",
      date: received.plus({ days: daysAhead }),
    });
  }
  for (const m of text.matchAll(TOMORROW)) {
    add({ start: m.index, end: m.index + m[0].length, kind: "tomorrow", date: received.plus({ days: 1 }) });
  }
  return mentions.sort((a, b) => a.start - b.start);
}

function followsDate(from: number, mentions: readonly DateMention[]): boolean {
  return mentions.some((mention) => mention.start >= from && mention.start - from <= 4);
}

function dateMention(
  match: RegExpMatchArray,
  year: number | null,
  month: number,
  day: number,
  received: DateTime,
): DateMention | null {
  if (match.index === undefined || month < 1 || month > 12 || day < 1 || day > 31) return null;
  const start = match.index;
  const end = start + match[0].length;
  if (year !== null) {
    const date = DateTime.utc(year, month, day);
    return date.isValid ? { start, end, kind: "date", date } : null;
  }
  // A date without a year is its next occurrence on or after the day the message arrived.
  for (const candidateYear of [received.year, received.year + 1, received.year + 2]) {
    const date = DateTime.utc(candidateYear, month, day);
    if (date.isValid && date >= received) return { start, end, kind: "date", date };
  }
  return null;
}

// English with slashes is US month/day unless the first number cannot be a month; everyone else
// writes day/month unless the second number cannot be one.
function numericOrder(
  language: ReplyLanguage,
  separator: string,
  first: number,
  second: number,
): [number, number] {
  const usOrder = language === "en" && separator !== ".";
  if (usOrder) return first > 12 ? [second, first] : [first, second];
  return second > 12 ? [first, second] : [second, first];
}

function fullYear(written: string | undefined): number {
  const year = Number(written);
  return year < 100 ? 2000 + year : year;
}

function monthTable(language: ReplyLanguage): Record<string, number> {
  const table: Record<string, number> = {};
  for (const [lang, names] of Object.entries(MONTHS) as [ReplyLanguage, Record<string, number>][]) {
    for (const [name, month] of Object.entries(names)) {
      const ownLanguage = lang === language || lang === "en";
      if (!ownLanguage && (name.length < 5 || FOREIGN_ONLY.has(name))) continue;
      if (FOREIGN_ONLY.has(name) && lang !== language) continue;
      table[name] = month;
    }
  }
  return table;
}

function alternation(words: readonly string[]): string {
  return [...words]
    .sort((a, b) => b.length - a.length)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("|");
}

function lower(value: string | undefined): string {
  return (value ?? "").toLowerCase();
}
