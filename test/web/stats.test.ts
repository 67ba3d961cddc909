// The A/B significance estimate shown on the Analytics page.

import { describe, expect, it } from "vitest";
import { significance } from "../../web/src/stats.ts";

describe("A/B significance (two-proportion z-test on reply rates)", () => {
  it("is about 0.95 at z ≈ 1.96 and near 0 for equal rates", () => {
    // 20% vs 10% of 200 each: pooled 15%, z = 0.1 / sqrt(.15*.85*(2/200)) ≈ 2.80 → 0.9949
    expect(significance({ sent: 200, replied: 40 }, { sent: 200, replied: 20 })).toBeCloseTo(0.9949, 3);
    expect(significance({ sent: 100, replied: 10 }, { sent: 100, replied: 10 })).toBeCloseTo(0, 6);
  });

  it("says nothing without sends or without any variance", () => {
    expect(significance({ sent: 0, replied: 0 }, { sent: 10, replied: 1 })).toBeNull();
    expect(significance({ sent: 10, replied: 0 }, { sent: 10, replied: 0 })).toBeNull();
  });
});
