// Numbers the Analytics page derives from GET /v1/sequences/{id}/stats.

/** Two-proportion z-test on reply rates: the confidence (1 − two-sided p-value) that they differ. */
export function significance(
  a: { sent: number; replied: number },
  b: { sent: number; replied: number },
): number | null {
  if (a.sent === 0 || b.sent === 0) return null;
  const pooled = (a.replied + b.replied) / (a.sent + b.sent);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.sent + 1 / b.sent));
  if (se === 0) return null;
  const z = Math.abs(a.replied / a.sent - b.replied / b.sent) / se;
  // Normal CDF via the Abramowitz–Stegun erf approximation.
  const t = 1 / (1 + 0.3275911 * (z / Math.SQRT2));
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(z * z) / 2);
  return erf;
}
