import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pickVariant } from "../../../src/domain/template/index.ts";

const ab = [
  { id: "a", weight: 50 },
  { id: "b", weight: 50 },
];

describe("pickVariant", () => {
  it("gives the same seed the same variant every time", () => {
    fc.assert(
      fc.property(fc.string(), (seed) => {
        expect(pickVariant(ab, seed)).toBe(pickVariant(ab, seed));
      }),
    );
  });

  it("always returns one of the variants with a share", () => {
    const variants = [
      { id: "a", weight: 0 },
      { id: "b", weight: 3 },
      { id: "c", weight: -1 },
      { id: "d", weight: Number.NaN },
      { id: "e", weight: 1 },
    ];
    fc.assert(
      fc.property(fc.string(), (seed) => {
        expect(["b", "e"]).toContain(pickVariant(variants, seed));
      }),
    );
  });

  it.each([
    [
      [1, 1],
      [0.5, 0.5],
    ],
    [
      [1, 3],
      [0.25, 0.75],
    ],
    [
      [0.2, 0.3, 0.5],
      [0.2, 0.3, 0.5],
    ],
    [
      [10, 0, 90],
      [0.1, 0, 0.9],
    ],
  ])("splits sequential enrollments by weight %j", (weights, expected) => {
    const variants = weights.map((weight, i) => ({ id: `v${i}`, weight }));
    const counts = new Map<string, number>();
    const total = 20_000;
    for (let i = 0; i < total; i++) {
      const id = pickVariant(variants, `01JENROLLMENT${i}:step-intro`);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expected.forEach((share, i) => {
      expect((counts.get(`v${i}`) ?? 0) / total).toBeCloseTo(share, 1);
    });
  });

  it("splits evenly when no variant has a positive weight", () => {
    const variants = [
      { id: "a", weight: 0 },
      { id: "b", weight: 0 },
    ];
    const picked = new Set(Array.from({ length: 200 }, (_, i) => pickVariant(variants, `seed-${i}`)));
    expect(picked).toEqual(new Set(["a", "b"]));
  });

  it("returns the only variant whatever the seed", () => {
    expect(pickVariant([{ id: "solo", weight: 1 }], "anything")).toBe("solo");
  });

  it("refuses an empty list: a step with variants always has one", () => {
    expect(() => pickVariant([], "seed")).toThrow();
  });
});
