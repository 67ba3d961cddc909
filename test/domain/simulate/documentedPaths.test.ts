// The path names docs/sequences.md lists for the examples are what the simulator really prints.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSequence } from "../../../src/domain/sequence/parseSequence.ts";
import { DEFAULT_SIMULATION_CONTACT, simulate } from "../../../src/domain/simulate/simulate.ts";
import { local } from "../enrollment/sequenceFixtures.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");

/** The names in the ```text block under the `#### <heading>` of the Simulating section. */
function documentedNames(heading: string): string[] {
  const docs = readFileSync(join(ROOT, "docs", "sequences.md"), "utf8");
  const section = docs.slice(docs.indexOf("## Simulating"));
  const at = section.indexOf(`#### ${heading}\n`);
  if (at === -1) throw new Error(`docs/sequences.md has no "#### ${heading}" under "## Simulating"`);
  const block = /```text\n([\s\S]*?)\n```/.exec(section.slice(at));
  if (!block?.[1]) throw new Error(`no path list under "#### ${heading}"`);
  return block[1].split("\n");
}

function simulatedNames(file: string, contact: Record<string, string> = {}): string[] {
  const parsed = parseSequence(readFileSync(join(ROOT, file), "utf8"), file);
  if (!parsed.ok) throw new Error(`${file} does not validate`);
  // The documented command: --start 2026-12-01T09:30 for the default contact (New York).
  const result = simulate(parsed.definition, {
    contact: { ...DEFAULT_SIMULATION_CONTACT, ...contact },
    startUtcMs: local("2026-12-01T09:30", "America/New_York"),
    workspaceZone: "UTC",
  });
  return result.paths.map((p) => p.name);
}

describe("the documented simulation paths", () => {
  it("match the simulator's output for examples/inbound-demo.yaml", () => {
    expect(documentedNames("examples/inbound-demo.yaml")).toEqual(
      simulatedNames("examples/inbound-demo.yaml"),
    );
  });

  it("match the simulator's output for every other example", () => {
    for (const file of [
      "examples/post-meeting.yaml",
      "examples/proposal-followup.yaml",
      "examples/reengage-90.yaml",
    ]) {
      expect(documentedNames(file)).toEqual(simulatedNames(file));
    }
    expect(documentedNames("examples/proposal-followup.yaml with a proposal link")).toEqual(
      simulatedNames("examples/proposal-followup.yaml", {
        "fields.proposal_url": "https://docs.example.com/p/ada",
      }),
    );
  });
});
