// Scenario 6: memory and scale. One engine worker process on one SQLite store; the store grows
// through 10^4, 10^5 (and, in the full run, 10^6) active enrollments that are not due, and at
// each size the same due work (`due` first touches released at one instant) is timed. Time per
// due touch should stay flat: the claim reads the partial due index, so its cost follows due
// work, not stored work. The worker's RSS is read from /proc after each batch.

import { type Child, rssOf } from "../lib/processes.ts";
import { makeWorld, PARKED_AT, seedEnrollments } from "../lib/seed.ts";
import { round } from "../lib/stats.ts";
import { openBenchStore } from "../lib/stores.ts";
import { drainBatch, startRunners, WARM_UP_TOUCHES } from "./throughput.ts";

export interface ScalePoint {
  storedEnrollments: number;
  due: number;
  done: number;
  msPerDueTouch: number;
  touchesPerSecond: number;
  latenessP99Ms: number;
  workerRssMiB: number;
  workerPeakRssMiB: number;
  seedSeconds: number;
}

export async function scale(
  levels: number[],
  opts: { due: number; timeoutMs: number },
): Promise<ScalePoint[]> {
  const store = await openBenchStore("sqlite", "scale");
  let workers: Child[] = [];
  try {
    const now = Date.now();
    const world = await makeWorld(store.engine, now, { mode: "sandbox" });
    workers = await startRunners("nudge", 1, store.url);
    await seedEnrollments(store.engine, world, {
      count: WARM_UP_TOUCHES,
      runAtUtcMs: PARKED_AT - 1,
      nowUtcMs: now,
      label: "warm_",
    });
    await drainBatch(store.engine, "nudge", workers, {
      ...opts,
      due: WARM_UP_TOUCHES,
      parkedAt: PARKED_AT - 1,
    });
    const points: ScalePoint[] = [];
    let stored = 0;
    for (const [i, level] of levels.entries()) {
      const seedStart = performance.now();
      await seedEnrollments(store.engine, world, {
        count: level - stored,
        runAtUtcMs: now + 30 * 86_400_000,
        nowUtcMs: now,
        label: `idle${i}_`,
      });
      stored = level;
      await seedEnrollments(store.engine, world, {
        count: opts.due,
        runAtUtcMs: PARKED_AT + i,
        nowUtcMs: now,
        label: `due${i}_`,
      });
      const seedSeconds = (performance.now() - seedStart) / 1000;
      const result = await drainBatch(store.engine, "nudge", workers, { ...opts, parkedAt: PARKED_AT + i });
      const pid = workers[0]?.process.pid;
      const rss = pid ? rssOf(pid) : null;
      points.push({
        storedEnrollments: level,
        due: opts.due,
        done: result.done,
        msPerDueTouch: round((result.seconds * 1000) / Math.max(1, result.done), 2),
        touchesPerSecond: result.touchesPerSecond,
        latenessP99Ms: result.lateness.p99Ms,
        workerRssMiB: round(rss?.currentMiB ?? 0, 0),
        workerPeakRssMiB: round(rss?.peakMiB ?? 0, 0),
        seedSeconds: round(seedSeconds, 1),
      });
    }
    return points;
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await store.drop();
  }
}
