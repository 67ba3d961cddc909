import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ParseSequenceResult,
  parseSequence,
  parseSequenceJson,
} from "../../../src/domain/sequence/parseSequence.ts";

const EXAMPLE = readFileSync(join(import.meta.dirname, "../../../examples/proposal-followup.yaml"), "utf8");

/** Whatever came in: a definition, or at least one error that points inside the text. */
function expectWellFormed(result: ParseSequenceResult, text: string | null): void {
  if (result.ok) {
    expect(result.definition.steps.length).toBeGreaterThan(0);
    return;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  const lineCount = text === null ? 0 : text.split(/\r\n|\r|\n/).length;
  for (const e of result.errors) {
    expect(typeof e.message).toBe("string");
    expect(e.message.length).toBeGreaterThan(0);
    if (text === null) {
      expect([e.line, e.column]).toEqual([0, 0]);
    } else {
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.line).toBeLessThanOrEqual(lineCount + 1);
      expect(e.column).toBeGreaterThanOrEqual(1);
    }
  }
}

/** Pieces of the sequence language and of YAML, so random files get past the YAML parser. */
const TOKENS = [
  "id: x\n",
  "steps:\n",
  "  - id: a\n",
  "  - id: b\n",
  "    email: { subject: Hi, body: Hello }\n",
  "    email:\n      thread: true\n      body: |\n        Hi {{ contact.first_name }}\n",
  "    wait: 2d\n",
  "    wait: 3 bussiness days\n",
  "    next: a\n",
  "    next: end\n",
  "    branch:\n      - if: { clicked: a }\n        goto: b\n      - else: end\n",
  "    wait_for: { event: email.clicked, step: a, timeout: 1d, on_event: b }\n",
  "    sms: { body: hi }\n",
  "    update: { add_tags: [x], set: { title: y } }\n",
  "schedule: { timezone: Europe/Berlin, days: weekdays, hours: 9-17 }\n",
  "trigger: { event: form.submitted, where: { url: { matches: '(' } } }\n",
  "exit: { replied: false, events: [a.b] }\n",
  "reenroll: after 90 days\n",
  "tracking: true\n",
  "- ",
  ": ",
  "{",
  "}",
  "[",
  "]",
  "{{",
  "}}",
  "{%",
  '"',
  "'",
  "&a ",
  "*a ",
  "\t",
  "  ",
  "\n",
  "#",
  "---\n",
  "null",
  "~",
  "123",
  "true",
  "__proto__: 1\n",
];

describe("garbage in", () => {
  it("never throws on random text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-composite", maxLength: 400 }), (text) => {
        expectWellFormed(parseSequence(text, "random.yaml"), text);
      }),
      { numRuns: 400 },
    );
  });

  it("never throws on random pieces of sequence files", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }), (pieces) => {
        const text = pieces.join("");
        expectWellFormed(parseSequence(text, "pieces.yaml"), text);
      }),
      { numRuns: 600 },
    );
  });

  it("never throws on an example with random edits", () => {
    const edit = fc.record({
      at: fc.nat({ max: EXAMPLE.length }),
      cut: fc.nat({ max: 40 }),
      insert: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 })),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 5 }), (edits) => {
        let text = EXAMPLE;
        for (const { at, cut, insert } of edits) {
          const from = Math.min(at, text.length);
          text = text.slice(0, from) + insert + text.slice(from + cut);
        }
        expectWellFormed(parseSequence(text, "edited.yaml"), text);
      }),
      { numRuns: 400 },
    );
  });

  it("never throws on random values given to the API", () => {
    const stepLike = fc.dictionary(
      fc.constantFrom(
        "id",
        "wait",
        "next",
        "email",
        "sms",
        "branch",
        "wait_for",
        "update",
        "call",
        "webhook",
        "x",
      ),
      fc.anything({ maxDepth: 3 }),
    );
    const sequenceLike = fc.record(
      {
        id: fc.oneof(fc.constant("api"), fc.anything({ maxDepth: 1 })),
        steps: fc.oneof(fc.array(stepLike, { maxLength: 4 }), fc.anything({ maxDepth: 2 })),
        schedule: fc.anything({ maxDepth: 2 }),
        exit: fc.anything({ maxDepth: 2 }),
        trigger: fc.anything({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), sequenceLike), (value) => {
        expectWellFormed(parseSequenceJson(value, "api"), null);
      }),
      { numRuns: 500 },
    );
  });
});
