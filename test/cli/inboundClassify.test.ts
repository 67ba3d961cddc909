// `nudge inbound classify` run as a user runs it: over the labelled corpus, on standard input,
// and on files that are not messages at all.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin/nudge.js");
const CORPUS = join(ROOT, "test/fixtures/inbound");

interface Label {
  class: string;
  intent?: string;
  bounce?: { recipient?: string; status?: string };
  return_date?: string | null;
}

function nudge(args: string[], input?: string) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    input,
    timeout: 120_000,
  });
}

describe("nudge inbound classify", () => {
  it("labels every message of the corpus as its label file says, one JSON object per message", () => {
    const labels = JSON.parse(readFileSync(join(CORPUS, "labels.json"), "utf8")) as Record<
      string,
      Label | string
    >;
    const received = labels._received_at as string;
    const files = readdirSync(CORPUS)
      .filter((f) => f.endsWith(".eml"))
      .sort();
    const run = nudge([
      "inbound",
      "classify",
      "--json",
      "--received",
      received,
      ...files.map((f) => join(CORPUS, f)),
    ]);
    expect(run.status, run.stderr).toBe(0);
    const outputs = run.stdout
      .trim()
      .split("\n")
      .map(
        (line) =>
          JSON.parse(line) as {
            file: string;
            class: string;
            intent: string | null;
            bounce: Label["bounce"] | null;
            return_date: string | null;
            rule: string;
          },
      );
    expect(outputs).toHaveLength(files.length);
    const wrong: string[] = [];
    for (const out of outputs) {
      const name = out.file.split("/").at(-1) ?? "";
      const label = labels[name] as Label;
      if (out.class !== label.class) wrong.push(`${name}: class ${out.class}, labelled ${label.class}`);
      if (label.intent && out.intent !== label.intent)
        wrong.push(`${name}: intent ${out.intent}, labelled ${label.intent}`);
      if (label.bounce?.recipient && out.bounce?.recipient !== label.bounce.recipient)
        wrong.push(`${name}: recipient ${out.bounce?.recipient}`);
      if (label.bounce?.status && out.bounce?.status !== label.bounce.status)
        wrong.push(`${name}: status ${out.bounce?.status}`);
      if (label.return_date !== undefined && out.return_date !== label.return_date)
        wrong.push(`${name}: return ${out.return_date}, labelled ${label.return_date}`);
      expect(out.rule.length).toBeGreaterThan(0);
    }
    expect(wrong).toEqual([]);
  }, 180_000);

  it("reads standard input and explains the deciding rule in words", () => {
    const raw = readFileSync(
      join(CORPUS, readdirSync(CORPUS).find((f) => f.startsWith("bounce") && f.endsWith(".eml")) ?? ""),
      "utf8",
    );
    const run = nudge(["inbound", "classify"], raw);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/<stdin>: bounce_(hard|soft)/);
    expect(run.stdout).toMatch(/rule: \S/);
  }, 120_000);

  it("reports an unreadable or empty file on its own line, goes on with the next, and exits 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "nudge-classify-"));
    writeFileSync(join(dir, "empty.eml"), "");
    const good = join(CORPUS, readdirSync(CORPUS).find((f) => f.endsWith(".eml")) ?? "");
    const run = nudge(["inbound", "classify", join(dir, "missing.eml"), join(dir, "empty.eml"), good]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/missing\.eml: cannot read/);
    expect(run.stderr).toMatch(/empty\.eml: not a readable message/);
    expect(run.stdout).toContain(good);
  }, 120_000);
});
