// The 3-step sequence with a reply exit as a team would build it on BullMQ (Redis): one queue,
// one job per step, `delay` for the wait; the processor checks a `replied` set, records the
// send in a `captured` list and queues the next step. Configured as BullMQ's guide shows: a
// Worker with `concurrency`, completed jobs removed. Redis is Debian's `redis-server`, started
// privately with append-only persistence (fsync every second, Redis's recommended setting).

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { type Child, freePort, sleep } from "../lib/processes.ts";
import {
  NEXT_STEP_WAIT_MS,
  type PeerOptions,
  type PeerResult,
  peerResult,
  STORED_DUE_IN_MS,
  type TouchJob,
} from "./peerResult.ts";

const QUEUE = "touch";
const CONCURRENCY = 50;

export async function startRedis(): Promise<Child & { port: number }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "nudge-bench-redis-"));
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    child.stdout?.on("data", (data: Buffer) => {
      seen += data.toString("utf8");
      if (seen.includes("Ready to accept connections")) resolve();
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${seen}`)));
  });
  child.stdout?.resume();
  return {
    port,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

export async function bullmqPeer(opts: PeerOptions): Promise<PeerResult> {
  const redis = await startRedis();
  // In ESM BullMQ takes ready-made ioredis clients; workers need maxRetriesPerRequest null.
  const connection = new Redis({ host: "127.0.0.1", port: redis.port, maxRetriesPerRequest: null });
  const queue = new Queue<TouchJob>(QUEUE, { connection, defaultJobOptions: { removeOnComplete: true } });
  // The team's own data (replied set, captured list) on a separate client, as an app would.
  const client = new Redis({ host: "127.0.0.1", port: redis.port });
  let worker: Worker<TouchJob> | null = null;
  try {
    const now = Date.now();
    for (let start = 0; start < opts.stored; start += 1_000) {
      const jobs = [];
      for (let i = start; i < Math.min(opts.stored, start + 1_000); i++) {
        jobs.push({
          name: "step",
          data: { contact: `idle${i}`, step: 1, dueAt: now + STORED_DUE_IN_MS },
          opts: { delay: STORED_DUE_IN_MS },
        });
      }
      await queue.addBulk(jobs);
    }
    const goAt = Date.now() + 2_000;
    for (let start = 0; start < opts.due; start += 1_000) {
      const jobs = [];
      for (let i = start; i < Math.min(opts.due, start + 1_000); i++) {
        jobs.push({
          name: "step",
          data: { contact: `due${i}`, step: 1, dueAt: goAt },
          opts: { delay: Math.max(0, goAt - Date.now()) },
        });
      }
      await queue.addBulk(jobs);
    }
    worker = new Worker<TouchJob>(
      QUEUE,
      async (job) => {
        const { contact, step, dueAt } = job.data;
        if (await client.sismember("replied", contact)) return;
        const sentAt = Date.now();
        await client.rpush("captured", JSON.stringify({ dueAt, sentAt }));
        if (step < 3) {
          await queue.add(
            "step",
            { contact, step: step + 1, dueAt: sentAt + NEXT_STEP_WAIT_MS },
            { delay: NEXT_STEP_WAIT_MS },
          );
        }
      },
      { connection, concurrency: CONCURRENCY, removeOnComplete: { count: 0 } },
    );
    const deadline = goAt + opts.timeoutMs;
    while (Date.now() < deadline) {
      if ((await client.llen("captured")) >= opts.due) break;
      await sleep(100);
    }
    const sends = (await client.lrange("captured", 0, -1)).map(
      (s) => JSON.parse(s) as { dueAt: number; sentAt: number },
    );
    return peerResult(
      "BullMQ",
      `BullMQ 6.7: one Worker with concurrency ${CONCURRENCY}, removeOnComplete; redis-server with appendonly yes, appendfsync everysec`,
      opts,
      sends,
    );
  } finally {
    // The private redis-server is stopped even when closing the queue fails.
    try {
      await worker?.close();
      await queue.close();
    } finally {
      connection.disconnect();
      client.disconnect();
      await redis.stop();
    }
  }
}
