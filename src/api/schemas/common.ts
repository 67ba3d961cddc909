// Shapes every resource shares: ISO timestamps, ids in paths, cursor pages, the problem
// responses every route documents, and the checks for time zones, emails and phone numbers.

import { z } from "zod";
import { ProblemSchema } from "../problem.ts";

/** Timestamps leave the API as ISO 8601 UTC strings (`2025-03-04T09:00:00.000Z`). */
export const IsoTime = z.iso.datetime({ offset: true });

/** Timestamps arrive as ISO 8601 with a zone (`Z` or `+02:00`). */
export const IsoTimeInput = z.iso.datetime({ offset: true }).describe("ISO 8601 date-time with a zone");

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : iso(Number(ms));
}

export function msOf(isoText: string): number {
  return Date.parse(isoText);
}

export const IdParams = z.strictObject({ id: z.string().min(1).max(200) });

/** Actions that take no input: no body, `null` or `{}`; anything else is a mistake worth naming. */
export const NoBody = z.strictObject({}).nullish();

export const JsonObject = z.record(z.string(), z.unknown());

export const FieldValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Free text a person typed: bounded, so nothing can grow a row without limit. */
export const ShortText = z.string().max(1000);

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe("items per page (1–500, default 50)"),
  cursor: z.string().min(1).max(300).optional().describe("`next_cursor` of the previous page"),
});

export type PageQueryInput = z.infer<typeof PageQuery>;

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    next_cursor: z.string().nullable().describe("pass as `cursor` for the next page; null on the last page"),
  });
}

/** Rows fetched with `limit + 1` → one page and the cursor of the next (the last id shown). */
export function pageOf<R, T>(
  rows: R[],
  limit: number,
  toItem: (row: R) => T,
  cursorOf: (row: R) => string,
): { data: T[]; next_cursor: string | null } {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    data: shown.map(toItem),
    next_cursor: rows.length > limit && last !== undefined ? cursorOf(last) : null,
  };
}

/** For small collections the repositories return whole (keys, users, mailboxes, sequences). */
export function pageInMemory<R extends { id: string }, T>(
  rows: R[],
  query: PageQueryInput,
  toItem: (row: R) => T,
): { data: T[]; next_cursor: string | null } {
  const after = query.cursor;
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rest = after ? sorted.filter((r) => r.id > after) : sorted;
  return pageOf(rest.slice(0, query.limit + 1), query.limit, toItem, (r) => r.id);
}

/** Every route documents its errors: any 4xx or 5xx is a Problem. */
export function withProblems<R extends Record<number, z.ZodType>>(responses: R) {
  return { ...responses, "4xx": ProblemSchema, "5xx": ProblemSchema };
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The canonical spelling of a zone (`europe/paris` → `Europe/Paris`). */
export function canonicalTimeZone(zone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
}

export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isValidTimeZone, { message: "not an IANA time zone (e.g. America/New_York)" })
  .transform(canonicalTimeZone);

// Deliberately plain: one @, a dot in the domain, no spaces. Deliverability is the sender's check.
const EMAIL_PATTERN = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/;

export function isPlausibleEmail(email: string): boolean {
  return email.length <= 254 && EMAIL_PATTERN.test(email.trim());
}

export const Email = z
  .string()
  .max(254)
  .refine(isPlausibleEmail, { message: "not an email address" })
  .transform((e) => e.trim().toLowerCase());

/** Phone numbers as people write them: digits, spaces, + ( ) . - and an extension; 7–15 digits. */
export function isPhoneLike(phone: string): boolean {
  const trimmed = phone.trim();
  if (!/^\+?[\d\s().-]+((\s*(x|ext\.?)\s*)\d{1,6})?$/i.test(trimmed)) return false;
  const main = trimmed.replace(/(\s*(x|ext\.?)\s*)\d{1,6}$/i, "");
  const digits = main.replace(/\D/g, "").length;
  return digits >= 7 && digits <= 15;
}

export const Phone = z
  .string()
  .max(40)
  .refine(isPhoneLike, { message: "not a phone number (7 to 15 digits, e.g. +1 212 555 0123)" })
  .transform((p) => p.trim());
