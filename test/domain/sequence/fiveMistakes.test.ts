import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDefinitionError, parseSequence } from "../../../src/domain/sequence/parseSequence.ts";

describe("a file with five different mistakes", () => {
  it("reports all five, in file order, each with its line and column", () => {
    const file = "five-mistakes.yaml";
    const result = parseSequence(readFileSync(join(import.meta.dirname, "fixtures", file), "utf8"), file);
    const lines = result.ok ? [] : result.errors.map(formatDefinitionError);
    const expected = [
      [
        "five-mistakes.yaml:4:13 schedule.timezone: ",
        '"Europe/Berln" is not a time zone; did you mean "Europe/Berlin"?',
      ],
      [
        "five-mistakes.yaml:9:7 steps[0].email.subjct: ",
        "unknown key `subjct` in steps[0].email; did you mean `subject`?",
      ],
      // The Liquid error sits on the 4th line of the block scalar, at the unclosed `{{`.
      ["five-mistakes.yaml:13:29 steps[0].email.body: ", "template error"],
      [
        "five-mistakes.yaml:15:11 steps[1].wait: ",
        '"2 bussiness days" is not a duration; did you mean "2 business days"?',
      ],
      [
        "five-mistakes.yaml:22:15 steps[2].branch[0].goto: ",
        'there is no step "exec-tsk"; did you mean "exec-task"?',
      ],
    ];
    expect(lines).toHaveLength(expected.length);
    expected.forEach(([where, says], i) => {
      expect(lines[i]?.startsWith(where!), lines[i]).toBe(true);
      expect(lines[i]).toContain(says);
    });
  });
});
