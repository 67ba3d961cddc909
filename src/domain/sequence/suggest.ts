// "Did you mean …?" for the keys, ids and words of a sequence file: the nearest known word, when
// it is close enough to be a typo of it.

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
function editDistance(a: string, b: string): number {
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, previous2[j - 2]! + 1);
      current.push(best);
    }
    previous2 = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known word nearest to `word`: at most two edits, and fewer than half its letters, so a
 * short word is not "corrected" into an unrelated one. Null when nothing is that close, or when
 * `word` is itself known.
 */
export function closestWord(word: string, known: Iterable<string>): string | null {
  const limit = Math.min(2, Math.ceil(word.length / 2) - 1);
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    // Lengths further apart than the limit cannot be within it; skipping them keeps zone lists fast.
    if (Math.abs(candidate.length - word.length) > limit) continue;
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== null && bestDistance > 0 && bestDistance <= limit ? best : null;
}
