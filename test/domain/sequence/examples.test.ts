import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SequenceDefinition } from "../../../src/domain/sequence/definition.ts";
import { parseSequence } from "../../../src/domain/sequence/parseSequence.ts";
import { wordCount } from "../../../src/domain/template/copyChecks.ts";

const EXAMPLES = join(import.meta.dirname, "../../../examples");
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"));

function load(file: string): SequenceDefinition {
  const result = parseSequence(readFileSync(join(EXAMPLES, file), "utf8"), file);
  if (!result.ok)
    throw new Error(result.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`).join("\n"));
  return result.definition;
}

/** Calendar days a cadence spans when every wait is taken as written (business days ≈ 7/5). */
function spanDays(def: SequenceDefinition): number {
  return def.steps.reduce((sum, s) => {
    switch (s.wait.kind) {
      case "days":
        return sum + (s.wait.business ? (s.wait.days * 7) / 5 : s.wait.days);
      case "hours":
        return sum + s.wait.hours / 24;
      case "minutes":
        return sum + s.wait.minutes / 1440;
      default:
        return sum;
    }
  }, 0);
}

describe("examples", () => {
  it("include the four starting sequences", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "inbound-demo.yaml",
        "post-meeting.yaml",
        "proposal-followup.yaml",
        "reengage-90.yaml",
      ]),
    );
  });

  it.each(files)("%s validates without errors or warnings", (file) => {
    const result = parseSequence(readFileSync(join(EXAMPLES, file), "utf8"), file);
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it.each(files)("%s keeps every email between 50 and 125 words", (file) => {
    for (const step of load(file).steps) {
      if (step.kind !== "email") continue;
      const words = wordCount(step.email.body, step.email.format);
      expect(words, step.id).toBeGreaterThanOrEqual(50);
      expect(words, step.id).toBeLessThanOrEqual(125);
    }
  });

  it.each(files)("%s records each step's line", (file) => {
    const lines = load(file).steps.map((s) => s.line ?? 0);
    expect(lines.every((l) => l > 0)).toBe(true);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });

  it("inbound-demo mixes email, call and LinkedIn over about three weeks and ends with a break-up", () => {
    const def = load("inbound-demo.yaml");
    const kinds = new Set(def.steps.map((s) => s.kind));
    expect([...kinds]).toEqual(expect.arrayContaining(["email", "call", "linkedin"]));
    expect(def.steps.length).toBeGreaterThanOrEqual(5);
    expect(def.steps.length).toBeLessThanOrEqual(8);
    expect(def.steps[0]?.wait).toEqual({ kind: "none" });
    expect(spanDays(def)).toBeGreaterThanOrEqual(17);
    expect(spanDays(def)).toBeLessThanOrEqual(24);
    expect(def.steps.at(-1)).toMatchObject({ id: "breakup", kind: "email" });
    expect(def.trigger).toEqual({ event: "form.submitted", where: { form: "demo-request" } });
    expect(def.onComplete?.enroll).toEqual({
      sequence: "reengage-90",
      after: { kind: "days", days: 90, business: false },
    });
  });

  it("proposal-followup branches on a click on the proposal email", () => {
    const def = load("proposal-followup.yaml");
    const branch = def.steps.find((s) => s.kind === "branch");
    expect(branch?.kind === "branch" && branch.branch.rules[0]?.if).toEqual({
      kind: "clicked",
      step: "proposal",
    });
    expect(def.tracking.clicks).toBe(true);
  });
});
