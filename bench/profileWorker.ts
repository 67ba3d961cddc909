// Where a due touch's time goes: runs `due` first touches through the engine's Worker in this
// process (sandbox capture transport), counts the SQL statements issued per touch (grouped by
// statement) and the time SQLite spends compiling them, and CPU-profiles only the drain (not
// the seeding) with the inspector: the profile is written to the system temp folder (open it in
// Chrome DevTools) and the heaviest engine functions are printed with their share.
//   node --import tsx bench/profileWorker.ts sqlite 1000 [stored]

import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { systemClock } from "../src/engine/clock.ts";
import { Worker } from "../src/engine/worker.ts";
import { releaseDue } from "./lib/seed.ts";
import type { EngineKind } from "./lib/stores.ts";
import { preparedStore } from "./scenarios/throughput.ts";

const kind = (process.argv[2] ?? "sqlite") as EngineKind;
const due = Number(process.argv[3] ?? 1_000);
const stored = Number(process.argv[4] ?? 10_000);

const counts = new Map<string, number>();
let counting = false;
let prepareMs = 0;
function count(sqlText: string): void {
  if (!counting) return;
  const key = sqlText.replace(/\s+/g, " ").slice(0, 70);
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
// Statements are counted when they run (the store caches compiled statements, so counting
// compiles would miss the repeats); compiling is timed separately.
const statementProto = Object.getPrototypeOf(new Database(":memory:").prepare("select 1")) as Record<
  string,
  unknown
>;
for (const method of ["run", "all", "get", "iterate"] as const) {
  const original = statementProto[method] as (this: Database.Statement, ...args: unknown[]) => unknown;
  statementProto[method] = function (this: Database.Statement, ...args: unknown[]) {
    count(this.source);
    return original.apply(this, args);
  };
}
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (this: Database.Database, source: string) {
  const started = performance.now();
  try {
    return prepare.call(this, source);
  } finally {
    if (counting) prepareMs += performance.now() - started;
  }
} as typeof prepare;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0];
  count(typeof first === "string" ? first : ((first as { text?: string })?.text ?? "?"));
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

const { store } = await preparedStore(kind, "profile", stored, due);
try {
  await releaseDue(store.engine, systemClock.nowUtcMs());
  const worker = new Worker({
    engine: store.engine,
    clock: systemClock,
    emailTransport: null,
    publicUrl: "http://localhost:3000",
  });
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  counting = true;
  const started = performance.now();
  while (await worker.runOnce()) {}
  const ms = performance.now() - started;
  counting = false;
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  const profilePath = join(tmpdir(), `nudge-worker-${kind}.cpuprofile`);
  writeFileSync(profilePath, JSON.stringify(profile));
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(
    `${kind}: ${due} touches in ${Math.round(ms)} ms = ${(ms / due).toFixed(2)} ms per touch; ` +
      `${total} statements = ${(total / due).toFixed(1)} per touch\n`,
  );
  if (kind === "sqlite") {
    process.stdout.write(
      `compiling statements (better-sqlite3 prepare): ${Math.round(prepareMs)} ms = ${((100 * prepareMs) / ms).toFixed(0)} %\n`,
    );
  }
  process.stdout.write(`\nstatements per touch:\n`);
  for (const [sqlText, n] of [...counts].sort((a, b) => b[1] - a[1])) {
    process.stdout.write(`${(n / due).toFixed(2).padStart(6)}  ${sqlText}\n`);
  }
  process.stdout.write(`\nCPU profile (${profilePath}), inclusive share of the drain:\n`);
  for (const [name, share] of inclusiveShares(profile)) {
    process.stdout.write(`${(100 * share).toFixed(1).padStart(6)} %  ${name}\n`);
  }
} finally {
  await store.drop();
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Inclusive time share of the functions worth naming (engine, composition, templates, SQL, GC). */
function inclusiveShares(profile: {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}): Array<[string, number]> {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const watched =
    /^(runDueEnrollments|sendDueMessages|prepareTouch|loadFacts|runEnrollment|applyDecision|composeEmail|renderTouch|captureMessage|executeQuery|prepare|\(garbage collector\)|\(idle\))$/;
  const totals = new Map<string, number>();
  let all = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  samples.forEach((id, i) => {
    const dt = deltas[i] ?? 0;
    all += dt;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (!frame || !watched.test(frame.functionName)) continue;
      const file = frame.url.split("/").slice(-2).join("/");
      const name = `${frame.functionName} ${file}`.trim();
      if (seen.has(name)) continue;
      seen.add(name);
      totals.set(name, (totals.get(name) ?? 0) + dt);
    }
  });
  return [...totals]
    .map(([name, t]): [string, number] => [name, t / Math.max(1, all)])
    .sort((a, b) => b[1] - a[1]);
}
