// `nudge validate` and `nudge simulate` as a user runs them: the real binary on real files for
// the main journeys, and the same commands in-process (much faster) for every other detail.

import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { registerSimulate } from "../../src/cli/commands/simulate.ts";
import { registerValidate } from "../../src/cli/commands/validate.ts";
import { ManualClock } from "../../src/engine/clock.ts";

const ROOT = join(import.meta.dirname, "..", "..");

/** Runs the binary; asynchronously, so the test runner's worker stays responsive meanwhile. */
function nudge(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, "bin", "nudge.js"), ...args],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const GOOD = `id: demo-follow-up
name: Demo follow-up
steps:
  - id: intro
    email:
      subject: "Your demo request, {{ contact.first_name }}"
      body: "Hi {{ contact.first_name }}, thanks for asking for a demo."
  - id: bump-1
    wait: 2d
    email:
      subject: "Quick follow-up"
      body: "Did you get a chance to look?"
  - id: call-1
    wait: 1d
    call:
      note: "Ask about their team"
`;

const BAD = `id: broken
name: Broken
steps:
  - id: intro
    email:
      subject: Hi
      body: Hello
  - id: bump
    wait: 2 bussiness days
    email:
      subject: Again
      body: Hello again
`;

let dir: string;
let good: string;
let bad: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "nudge-cli-"));
  good = join(dir, "good.yaml");
  bad = join(dir, "bad.yaml");
  writeFileSync(good, GOOD);
  writeFileSync(bad, BAD);
});

/** Starting the binary compiles the whole CLI through tsx: slow on a busy machine. */
const SPAWN_TIMEOUT_MS = 180_000;

const NOW = Date.UTC(2026, 11, 1, 14, 30); // Tue 2026-12-01 09:30 in New York

/** Runs the commands in this process, capturing what they print and the exit code they set. */
async function inProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  const program = new Command().exitOverride();
  registerValidate(program);
  registerSimulate(program, new ManualClock(NOW));
  process.exitCode = 0;
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    err.push(`nudge: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    vi.restoreAllMocks();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stdout: out.join(""), stderr: err.join("") };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the nudge binary", () => {
  it(
    "validate prints ok or each error on one line with its position, and exits 1 on any error",
    async () => {
      const run = await nudge("validate", good, bad);
      expect(run.stdout).toContain(`${good}: ok`);
      expect(run.stderr).toMatch(
        new RegExp(`${bad.replace(/[.\\]/g, "\\$&")}:9:\\d+ steps\\[1\\]\\.wait: .*business`),
      );
      expect(run.code).toBe(1);
    },
    SPAWN_TIMEOUT_MS,
  );

  it(
    "simulate prints every path with local times, steps, channels and rendered subjects",
    async () => {
      const run = await nudge("simulate", good, "--start", "2026-12-01T09:30");
      expect(run.code).toBe(0);
      const [first] = run.stdout.split("\n\n");
      expect(first).toBe(
        [
          "no response → completed",
          '  Tue 2026-12-01 09:30 EST  intro  email  "Your demo request, Ada"',
          '  Thu 2026-12-03 09:30 EST  bump-1  email  "Quick follow-up"',
          "  Fri 2026-12-04 09:30 EST  call-1  call  Call Ada Lovelace — Ask about their team",
          "  → completed",
        ].join("\n"),
      );
      expect(run.stdout).toContain("reply during wait before bump-1\n");
    },
    SPAWN_TIMEOUT_MS,
  );

  it(
    "simulate --json with a removed field prints the hold",
    async () => {
      const run = await nudge(
        "simulate",
        good,
        "--start",
        "2026-12-01T09:30",
        "--contact",
        "first_name=",
        "--json",
      );
      expect(JSON.parse(run.stdout)).toEqual({
        paths: [
          {
            name: "held: missing contact.first_name",
            outcome: "held",
            touches: [
              {
                at: "2026-12-01T09:30:00-05:00",
                step: "intro",
                channel: "email",
                held: "missing_field:contact.first_name",
              },
            ],
          },
        ],
      });
      expect(run.code).toBe(0);
    },
    SPAWN_TIMEOUT_MS,
  );
});

describe("validate", () => {
  it("prints ok for a valid file, then its warnings with positions, and leaves the exit code 0", async () => {
    const run = await inProcess("validate", good);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`${good}: ok`);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(1))
      expect(line).toMatch(new RegExp(`^${good.replace(/[.\\]/g, "\\$&")}:\\d+:\\d+ .*warning: `));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it("reports every file as JSON with --json", async () => {
    const run = await inProcess("validate", "--json", good, bad, join(dir, "missing.yaml"));
    const out = JSON.parse(run.stdout) as {
      files: Array<{ file: string; ok: boolean; errors: unknown[]; warnings: unknown[] }>;
    };
    expect(out.files.map((f) => [f.file, f.ok])).toEqual([
      [good, true],
      [bad, false],
      [join(dir, "missing.yaml"), false],
    ]);
    expect(out.files[1]?.errors[0]).toMatchObject({ line: 9, path: "steps[1].wait" });
    expect(out.files[2]?.errors[0]).toMatchObject({ message: "cannot read the file (ENOENT)" });
    expect(run.code).toBe(1);
  });
});

describe("simulate", () => {
  it("prints exactly names, outcomes and touches as JSON", async () => {
    const run = await inProcess("simulate", good, "--json");
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out)).toEqual(["paths"]);
    expect(out.paths[0]).toEqual({
      name: "no response → completed",
      outcome: "completed",
      touches: [
        {
          at: "2026-12-01T09:30:00-05:00",
          step: "intro",
          channel: "email",
          subject: "Your demo request, Ada",
        },
        { at: "2026-12-03T09:30:00-05:00", step: "bump-1", channel: "email", subject: "Quick follow-up" },
        {
          at: "2026-12-04T09:30:00-05:00",
          step: "call-1",
          channel: "call",
          note: "Call Ada Lovelace — Ask about their team",
        },
      ],
    });
  });

  it("starts at the clock's now unless --start says otherwise", async () => {
    const later = JSON.parse(
      (await inProcess("simulate", good, "--json", "--start", "2026-12-02T14:00")).stdout,
    );
    expect(later.paths[0].touches[0].at).toBe("2026-12-02T14:00:00-05:00");
    const withOffset = JSON.parse(
      (await inProcess("simulate", good, "--json", "--start", "2026-12-02T14:00:00Z")).stdout,
    );
    expect(withOffset.paths[0].touches[0].at).toBe("2026-12-02T09:00:00-05:00");
  });

  it("uses the contact's own zone and overrides from --contact", async () => {
    const run = await inProcess(
      "simulate",
      good,
      "--start",
      "2026-12-01T09:30",
      "--contact",
      "first_name=Grace",
      "--contact",
      "time_zone=Europe/Berlin",
      "--json",
    );
    expect(JSON.parse(run.stdout).paths[0].touches[0]).toEqual({
      at: "2026-12-01T09:30:00+01:00",
      step: "intro",
      channel: "email",
      subject: "Your demo request, Grace",
    });
  });

  it("refuses an invalid definition with its errors and exit code 1", async () => {
    const run = await inProcess("simulate", bad);
    expect(run.stderr).toMatch(/steps\[1\]\.wait/);
    expect(run.stdout).toBe("");
    expect(run.code).toBe(1);
  });

  it("refuses an unknown zone, a malformed --contact and a bad --start in one line each", async () => {
    expect((await inProcess("simulate", good, "--zone", "Mars/Olympus")).stderr).toBe(
      'nudge: unknown time zone "Mars/Olympus" (use an IANA name such as America/New_York)\n',
    );
    expect((await inProcess("simulate", good, "--contact", "nonsense")).stderr).toBe(
      'nudge: --contact expects key=value, got "nonsense"\n',
    );
    expect((await inProcess("simulate", good, "--start", "next tuesday")).stderr).toMatch(
      /--start "next tuesday"/,
    );
  });

  it("says when it stopped before every path was shown", async () => {
    const run = await inProcess("simulate", good, "--max-paths", "2", "--json");
    expect(JSON.parse(run.stdout).paths).toHaveLength(2);
    expect(run.stderr).toMatch(/showing the first 2 paths/);
  });
});
