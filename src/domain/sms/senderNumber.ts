// Which of a workspace's numbers texts or calls a contact. Once chosen, a contact keeps its
// number (replies land in one thread); otherwise "local presence": a number with the contact's
// area code, then one in the contact's country, then any. Ties go to a stable pick by contact,
// so contacts spread over the pool instead of all landing on the first number.

export interface PoolNumber {
  number: string;
  country: string | null;
  areaCode: string | null;
}

export type SenderChoice =
  | { kind: "sticky"; number: string }
  | { kind: "area_code" | "country" | "any"; number: string }
  | { kind: "none" };

export function chooseSenderNumber(input: {
  pool: readonly PoolNumber[];
  sticky: string | null;
  contactId: string;
  contactCountry: string | null;
  contactAreaCode: string | null;
}): SenderChoice {
  const { pool, sticky } = input;
  if (sticky && pool.some((n) => n.number === sticky)) return { kind: "sticky", number: sticky };
  if (pool.length === 0) return { kind: "none" };
  const tiers: Array<[SenderChoice["kind"], (n: PoolNumber) => boolean]> = [
    ["area_code", (n) => input.contactAreaCode !== null && n.areaCode === input.contactAreaCode],
    ["country", (n) => input.contactCountry !== null && n.country === input.contactCountry],
    ["any", () => true],
  ];
  for (const [kind, fits] of tiers) {
    const candidates = pool.filter(fits).sort((a, b) => a.number.localeCompare(b.number));
    if (candidates.length > 0) {
      const pick = candidates[stableIndex(input.contactId, candidates.length)] as PoolNumber;
      return { kind: kind as "area_code" | "country" | "any", number: pick.number };
    }
  }
  return { kind: "none" };
}

/** FNV-1a over the contact id: the same contact always lands on the same candidate. */
function stableIndex(key: string, size: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % size;
}
