// Counts the SMS segments a text will be billed as: GSM 03.38 when every character fits its
// 7-bit alphabet, UCS-2 otherwise (one emoji or curly quote switches the whole message).

export interface SmsSegments {
  encoding: "GSM-7" | "UCS-2";
  segments: number;
  /** Units the carrier counts: septets for GSM-7 (extension characters are 2), UTF-16 code units for UCS-2. */
  characters: number;
}

/** GSM 03.38 basic character set (the escape to the extension table left out). */
const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);

/** The extension table: each is sent as ESC + character, so it costs two septets. */
const GSM_EXTENSION = new Set("\f^{}\\[~]|€");

const LIMITS = {
  "GSM-7": { single: 160, concatenated: 153 },
  "UCS-2": { single: 70, concatenated: 67 },
} as const;

export function smsSegments(text: string): SmsSegments {
  // Iterating a string walks code points, so a surrogate pair is one character costing 2 units.
  const characters = [...text];
  const gsm = characters.every((c) => GSM_BASIC.has(c) || GSM_EXTENSION.has(c));
  const encoding = gsm ? "GSM-7" : "UCS-2";
  const cost = (c: string): number => (gsm ? (GSM_EXTENSION.has(c) ? 2 : 1) : c.length);
  const units = characters.reduce((sum, c) => sum + cost(c), 0);
  const limit = LIMITS[encoding];
  if (units === 0) return { encoding, segments: 0, characters: 0 };
  if (units <= limit.single) return { encoding, segments: 1, characters: units };
  // A segment boundary never splits an escape sequence or a surrogate pair, so pack greedily.
  let segments = 1;
  let used = 0;
  for (const c of characters) {
    const size = cost(c);
    if (used + size > limit.concatenated) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return { encoding, segments, characters: units };
}
