import { describe, expect, it } from "vitest";
import { smsSegments } from "../../../src/domain/template/index.ts";

describe("smsSegments", () => {
  it.each([
    ["", "GSM-7", 0, 0],
    ["Hi Ann, quick question about Acme?", "GSM-7", 1, 34],
    ["a".repeat(160), "GSM-7", 1, 160],
    ["a".repeat(161), "GSM-7", 2, 161],
    ["a".repeat(306), "GSM-7", 2, 306],
    ["a".repeat(307), "GSM-7", 3, 307],
    ["Price: 10€ [net]", "GSM-7", 1, 19],
    ["€".repeat(80), "GSM-7", 1, 160],
    ["€".repeat(81), "GSM-7", 2, 162],
    ["Ça va? Ñandù, Øre, ß, É", "GSM-7", 1, 23],
    ["Ñandú (ú is not in GSM 03.38)", "UCS-2", 1, 29],
    ["Thanks — Ann", "UCS-2", 1, 12],
    ["It’s me", "UCS-2", 1, 7],
    ["x".repeat(70).replace("x", "é́"), "UCS-2", 2, 71],
    [`${"ä".repeat(69)}ĉ`, "UCS-2", 1, 70],
    ["ĉ".repeat(71), "UCS-2", 2, 71],
    ["ĉ".repeat(134), "UCS-2", 2, 134],
    ["ĉ".repeat(135), "UCS-2", 3, 135],
    ["😀".repeat(35), "UCS-2", 1, 70],
    ["😀".repeat(36), "UCS-2", 2, 72],
  ])("%j is %s in %i segment(s), %i units", (text, encoding, segments, characters) => {
    expect(smsSegments(text)).toEqual({ encoding, segments, characters });
  });

  it("never splits an extension character's escape pair across segments", () => {
    // 152 plain septets then a 2-septet "€": it cannot fit in the first 153-septet segment.
    expect(smsSegments(`${"a".repeat(152)}€${"a".repeat(10)}`)).toEqual({
      encoding: "GSM-7",
      segments: 2,
      characters: 164,
    });
  });

  it("never splits a surrogate pair across segments", () => {
    // 66 units then an emoji (2 units): 68 would overflow the first 67-unit segment.
    expect(smsSegments(`${"ĉ".repeat(66)}😀${"ĉ".repeat(10)}`)).toEqual({
      encoding: "UCS-2",
      segments: 2,
      characters: 78,
    });
  });
});
