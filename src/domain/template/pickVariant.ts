// Deterministic weighted A/B choice: the same seed (enrollment + step) always gets the same
// variant, on every worker and every retry, with no random source in the core.

export interface WeightedVariant {
  id: string;
  weight: number;
}

/**
 * Picks a variant with probability proportional to its weight. Weights that are not positive
 * finite numbers take no share; if none has a share, every variant gets an equal one.
 * Throws on an empty list: a step with variants always has at least one (the validator's job).
 */
export function pickVariant(variants: readonly WeightedVariant[], seed: string): string {
  if (variants.length === 0) throw new Error("pickVariant needs at least one variant");
  const weights = variants.map((v) => (Number.isFinite(v.weight) && v.weight > 0 ? v.weight : 0));
  const total = weights.reduce((sum, w) => sum + w, 0);
  const shares = total > 0 ? weights : variants.map(() => 1);
  const shareTotal = total > 0 ? total : variants.length;
  // Scale to [0, total): 2^32 buckets are far finer than any weight anyone writes.
  const target = (hashSeed(seed) / 2 ** 32) * shareTotal;
  let cumulative = 0;
  let lastWithShare = 0;
  for (let i = 0; i < variants.length; i++) {
    const share = shares[i] ?? 0;
    if (share <= 0) continue;
    cumulative += share;
    lastWithShare = i;
    if (target < cumulative) return variants[i]!.id;
  }
  // Floating-point rounding can leave target a hair above the final sum.
  return variants[lastWithShare]!.id;
}

/**
 * FNV-1a over the seed's UTF-8 bytes, then murmur3's finaliser: FNV alone leaves the high
 * bits of seeds that differ only in their last character (…:step-1, …:step-2) too close to
 * split traffic evenly; the finaliser spreads every input bit over the whole word.
 */
export function hashSeed(seed: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(seed)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
