// Scenario 1: scheduler throughput. `due` enrollments (among `stored` ones that are not due) all
// fall due at one instant; engine worker processes run them to the sandbox capture transport.
// The floor loop then does the same on the same store with the same process count. Times come
// from the rows themselves (captured_at / sent_at), not from polling.

import { sql } from "kysely";
import type { StoreEngine } from "../../src/store/dialect/storeEngine.ts";
import { type Child, forkScript, rssOf, sleep, startWorkers } from "../lib/processes.ts";
import { makeWorld, PARKED_AT, releaseDue, seedEnrollments } from "../lib/seed.ts";
import { type LatencySummary, ratio, round, summarize } from "../lib/stats.ts";
import { type EngineKind, openBenchStore } from "../lib/stores.ts";

export interface DrainResult {
  due: number;
  done: number;
  seconds: number;
  touchesPerSecond: number;
  lateness: LatencySummary;
  /** Peak RSS of each worker process, MiB. */
  workerPeakRssMiB: number[];
}

export interface ThroughputRow {
  engine: EngineKind;
  workers: number;
  stored: number;
  nudge: DrainResult;
  floor: DrainResult;
  nudgeOverFloor: number;
}

export type Runner = "nudge" | "floor";

/** A first, unreported batch per process set, so lazy loading and JIT warm-up are not measured. */
export const WARM_UP_TOUCHES = 100;

/** When each touch of the batch released at `goAt` was done, from the rows themselves. */
async function doneTimes(engine: StoreEngine, runner: Runner, goAt: number): Promise<number[]> {
  if (runner === "nudge") {
    const rows = await engine.db
      .selectFrom("captured_messages")
      .select("captured_at as at")
      .where("captured_at", ">=", goAt)
      .execute();
    return rows.map((r) => Number(r.at));
  }
  const rows = await engine.db
    .selectFrom("messages")
    .select("sent_at as at")
    .where("subject", "=", "floor")
    .where("sent_at", ">=", goAt)
    .execute();
  return rows.map((r) => Number(r.at));
}

async function countDone(engine: StoreEngine, runner: Runner, goAt: number): Promise<number> {
  const row =
    runner === "nudge"
      ? await engine.db
          .selectFrom("captured_messages")
          .select(sql<number>`count(*)`.as("n"))
          .where("captured_at", ">=", goAt)
          .executeTakeFirstOrThrow()
      : await engine.db
          .selectFrom("messages")
          .select(sql<number>`count(*)`.as("n"))
          .where("subject", "=", "floor")
          .where("sent_at", ">=", goAt)
          .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function startRunners(runner: Runner, count: number, url: string): Promise<Child[]> {
  if (runner === "nudge") return startWorkers(count, url);
  return Promise.all(
    Array.from({ length: count }, () => forkScript<boolean>("bench/floor/floorWorker.ts", [url])),
  );
}

/**
 * Releases the `due` enrollments parked at `parkedAt` at one instant (300 ms from now) and waits
 * until the running `children` have done them all.
 */
export async function drainBatch(
  engine: StoreEngine,
  runner: Runner,
  children: Child[],
  opts: { parkedAt: number; due: number; timeoutMs: number },
): Promise<DrainResult> {
  const goAt = Date.now() + 300;
  await releaseDue(engine, goAt, opts.parkedAt);
  const deadline = goAt + opts.timeoutMs;
  while (Date.now() < deadline) {
    if ((await countDone(engine, runner, goAt)) >= opts.due) break;
    await sleep(100);
  }
  const rss = children.map((c) => (c.process.pid ? (rssOf(c.process.pid)?.peakMiB ?? 0) : 0));
  const lateness = (await doneTimes(engine, runner, goAt)).map((t) => t - goAt);
  const seconds = Math.max(...lateness, 1) / 1000;
  return {
    due: opts.due,
    done: lateness.length,
    seconds: round(seconds, 2),
    touchesPerSecond: round(lateness.length / seconds, 0),
    lateness: summarize(lateness),
    workerPeakRssMiB: rss.map((r) => round(r, 0)),
  };
}

/**
 * One store per engine: `stored` idle enrollments, then one parked batch of `due` per runner and
 * worker count. Workers are added between batches (1, then 2, then 4), the engine's first and
 * the floor's after.
 */
export async function throughput(
  kind: EngineKind,
  workerCounts: number[],
  opts: { stored: number; due: number; timeoutMs: number },
): Promise<ThroughputRow[]> {
  const store = await openBenchStore(kind, "throughput");
  try {
    const now = Date.now();
    const world = await makeWorld(store.engine, now, { mode: "sandbox" });
    await seedEnrollments(store.engine, world, {
      count: opts.stored,
      runAtUtcMs: now + 30 * 86_400_000,
      nowUtcMs: now,
      label: "idle",
    });
    // Enough due work that every worker gets at least two batches of 100.
    const dueFor = (workers: number) => Math.max(opts.due, 2 * 100 * workers);
    const runners = ["nudge", "floor"] as const;
    const parkedAt = (runner: Runner, i: number) => PARKED_AT + (runner === "nudge" ? 0 : 100) + i;
    for (const runner of runners) {
      for (const [i, workers] of workerCounts.entries()) {
        await seedEnrollments(store.engine, world, {
          count: dueFor(workers),
          runAtUtcMs: parkedAt(runner, i),
          nowUtcMs: now,
          label: `${runner}${i}_`,
        });
      }
    }
    const warmUpAt = (runner: Runner) => PARKED_AT + (runner === "nudge" ? 50 : 150);
    for (const runner of runners) {
      await seedEnrollments(store.engine, world, {
        count: WARM_UP_TOUCHES,
        runAtUtcMs: warmUpAt(runner),
        nowUtcMs: now,
        label: `${runner}warm_`,
      });
    }
    const results: Record<Runner, DrainResult[]> = { nudge: [], floor: [] };
    for (const runner of runners) {
      const children: Child[] = [];
      try {
        for (const [i, workers] of workerCounts.entries()) {
          children.push(...(await startRunners(runner, workers - children.length, store.url)));
          if (i === 0) {
            await drainBatch(store.engine, runner, children, {
              due: WARM_UP_TOUCHES,
              timeoutMs: opts.timeoutMs,
              parkedAt: warmUpAt(runner),
            });
          }
          results[runner].push(
            await drainBatch(store.engine, runner, children, {
              due: dueFor(workers),
              timeoutMs: opts.timeoutMs,
              parkedAt: parkedAt(runner, i),
            }),
          );
        }
      } finally {
        await Promise.all(children.map((c) => c.stop()));
      }
    }
    return workerCounts.map((workers, i) => {
      const nudge = results.nudge[i] as DrainResult;
      const floor = results.floor[i] as DrainResult;
      return {
        engine: kind,
        workers,
        stored: opts.stored,
        nudge,
        floor,
        nudgeOverFloor: ratio(nudge.touchesPerSecond, floor.touchesPerSecond),
      };
    });
  } finally {
    await store.drop();
  }
}

/** A fresh store holding `stored` not-due enrollments plus `due` parked ones. */
export async function preparedStore(
  kind: EngineKind,
  label: string,
  stored: number,
  due: number,
  worldOpts: Parameters<typeof makeWorld>[2] = { mode: "sandbox" },
) {
  const store = await openBenchStore(kind, label);
  const now = Date.now();
  const world = await makeWorld(store.engine, now, worldOpts);
  await seedEnrollments(store.engine, world, {
    count: stored,
    runAtUtcMs: now + 30 * 86_400_000,
    nowUtcMs: now,
    label: "idle",
  });
  await seedEnrollments(store.engine, world, {
    count: due,
    runAtUtcMs: PARKED_AT,
    nowUtcMs: now,
    label: "due",
  });
  return { store, world };
}
