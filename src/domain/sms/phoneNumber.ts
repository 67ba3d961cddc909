// Phone numbers as the SMS and voice channels need them: parsed with libphonenumber-js (full
// metadata, so unassigned ranges are refused) and written in E.164, with the country and, for
// North American numbers, the area code that local-presence number choice matches on.

import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/max";

export type ParsedPhone =
  | { ok: true; e164: string; country: string | null; areaCode: string | null }
  | { ok: false; reason: "invalid_phone"; detail: string };

/** `defaultCountry` reads numbers written without a `+` prefix (an ISO 3166 code such as `US`). */
export function parsePhone(raw: string | null | undefined, defaultCountry = "US"): ParsedPhone {
  const text = (raw ?? "").trim();
  if (text === "") return { ok: false, reason: "invalid_phone", detail: "no phone number" };
  const parsed = parsePhoneNumberFromString(text, defaultCountry.toUpperCase() as CountryCode);
  if (!parsed) return { ok: false, reason: "invalid_phone", detail: `"${text}" is not a phone number` };
  if (!parsed.isValid()) {
    return { ok: false, reason: "invalid_phone", detail: `"${text}" is not an assignable number` };
  }
  const country = parsed.country ?? null;
  return { ok: true, e164: parsed.number, country, areaCode: areaCodeOf(parsed.number) };
}

/** E.164 or null: for matching an inbound sender against stored contact numbers. */
export function toE164(raw: string | null | undefined, defaultCountry = "US"): string | null {
  const parsed = parsePhone(raw, defaultCountry);
  return parsed.ok ? parsed.e164 : null;
}

/** The three-digit area code of a North American (+1) number; null elsewhere. */
export function areaCodeOf(e164: string): string | null {
  const match = /^\+1(\d{3})\d{7}$/.exec(e164);
  return match?.[1] ?? null;
}
