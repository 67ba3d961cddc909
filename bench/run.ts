// `npm run bench` (full) and `npm run bench -- --quick` (under 3 minutes): runs every scenario
// in one process tree on this machine, prints Markdown tables and writes
// bench/results/latest.json with every figure and every ratio measured in this same run.
// Needs PostgreSQL (NUDGE_BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres)
// and Debian's `redis-server` on PATH (started privately on a free port).

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, freemem, totalmem } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { REPO_ROOT } from "./lib/processes.ts";
import { ratio, round } from "./lib/stats.ts";
import { PG_SERVER_URL } from "./lib/stores.ts";
import { bullmqPeer } from "./peers/bullmq.ts";
import type { PeerResult } from "./peers/peerResult.ts";
import { pgBossPeer } from "./peers/pgBoss.ts";
import { type IngestResult, ingest } from "./scenarios/ingest.ts";
import { type ScalePoint, scale } from "./scenarios/scale.ts";
import { type SmtpResult, smtpScenario } from "./scenarios/smtp.ts";
import { type SpeedToLeadResult, speedToLead } from "./scenarios/speedToLead.ts";
import { type ThroughputRow, throughput } from "./scenarios/throughput.ts";

const quick = process.argv.includes("--quick");

/** Sizes per mode. Quick fits in 3 minutes on a shared 2-core machine; see docs/benchmarks.md. */
const SIZES = quick
  ? {
      throughput: { stored: 10_000, due: 300, timeoutMs: 60_000 },
      smtp: { due: 200, timeoutMs: 60_000 },
      speedToLead: { perSecond: 5, seconds: 6 },
      peers: { stored: 10_000, due: 300, timeoutMs: 60_000 },
      ingest: { seconds: 3, connections: 10, engines: ["sqlite"] as const },
      scale: { levels: [10_000, 100_000], due: 300, timeoutMs: 60_000 },
    }
  : {
      throughput: { stored: 100_000, due: 3_000, timeoutMs: 600_000 },
      smtp: { due: 2_000, timeoutMs: 600_000 },
      speedToLead: { perSecond: 10, seconds: 30 },
      peers: { stored: 100_000, due: 3_000, timeoutMs: 600_000 },
      ingest: { seconds: 15, connections: 10, engines: ["sqlite", "postgres"] as const },
      scale: { levels: [10_000, 100_000, 1_000_000], due: 1_000, timeoutMs: 600_000 },
    };

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function machine() {
  const client = new pg.Client({ connectionString: PG_SERVER_URL });
  await client.connect();
  const pgVersion =
    (await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? "?";
  await client.end();
  let redisVersion = "?";
  try {
    redisVersion = execFileSync("redis-server", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    redisVersion = "not installed";
  }
  const load = execFileSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).trim();
  return {
    cpu: cpus()[0]?.model ?? "?",
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    freeMemoryGiBAtStart: round(freemem() / 2 ** 30, 1),
    loadAverageAtStart: load,
    node: process.version,
    postgres: pgVersion,
    redis: redisVersion,
  };
}

function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function markdown(result: {
  throughput: ThroughputRow[];
  smtp: SmtpResult;
  speedToLead: SpeedToLeadResult[];
  peers: { nudge: ThroughputRow | undefined; results: PeerResult[] };
  ingest: IngestResult[];
  scale: ScalePoint[];
}): string {
  const parts: string[] = [];
  parts.push(
    "### 1. Scheduler throughput (sandbox capture transport)",
    table(
      [
        "store",
        "workers",
        "stored",
        "due",
        "Nudge touches/s",
        "floor touches/s",
        "Nudge/floor",
        "Nudge lateness p99 ms",
      ],
      result.throughput.map((r) => [
        r.engine,
        r.workers,
        r.stored,
        r.nudge.due,
        r.nudge.touchesPerSecond,
        r.floor.touchesPerSecond,
        r.nudgeOverFloor,
        r.nudge.lateness.p99Ms,
      ]),
    ),
    "",
    "### 2. Real SMTP (sink in another process)",
    table(
      [
        "store",
        "messages",
        "Nudge msg/s",
        "raw nodemailer msg/s",
        "Nudge/raw",
        "SMTP in flight at once (Nudge / raw)",
      ],
      [
        [
          result.smtp.engine,
          result.smtp.nudge.messages,
          result.smtp.nudge.messagesPerSecond,
          result.smtp.raw.messagesPerSecond,
          result.smtp.nudgeOverRaw,
          `${result.smtp.nudge.maxConcurrentTransactions} / ${result.smtp.raw.maxConcurrentTransactions}`,
        ],
      ],
    ),
    "",
    "### 3. Speed to lead (API receive → SMTP sink accept)",
    table(
      ["store", "events", "rate/s", "delivered", "p50 ms", "p99 ms", "max ms"],
      result.speedToLead.map((r) => [
        r.engine,
        r.events,
        r.achievedPerSecond,
        r.delivered,
        r.latency.p50Ms,
        r.latency.p99Ms,
        r.latency.maxMs,
      ]),
    ),
    "",
    "### 4. Peers (same 3-step sequence with a reply exit, PostgreSQL/Redis, 1 worker)",
    table(
      ["system", "stored", "due", "touches/s", "lateness p99 ms", "Nudge/peer"],
      [
        ...(result.peers.nudge
          ? [
              [
                "Nudge (postgres, 1 worker)",
                result.peers.nudge.stored,
                result.peers.nudge.nudge.due,
                result.peers.nudge.nudge.touchesPerSecond,
                result.peers.nudge.nudge.lateness.p99Ms,
                "1",
              ],
            ]
          : []),
        ...result.peers.results.map((p) => [
          p.peer,
          p.stored,
          p.due,
          p.touchesPerSecond,
          p.lateness.p99Ms,
          result.peers.nudge ? ratio(result.peers.nudge.nudge.touchesPerSecond, p.touchesPerSecond) : "n/a",
        ]),
      ],
    ),
    "",
    "### 5. Ingest (autocannon)",
    table(
      ["store", "endpoint", "req/s", "p50 ms", "p99 ms", "note"],
      result.ingest.flatMap((r) =>
        r.endpoints.map((e) => [
          r.engine,
          e.endpoint,
          e.requestsPerSecond ?? "n/a",
          e.p50Ms ?? "n/a",
          e.p99Ms ?? "n/a",
          e.note ?? "",
        ]),
      ),
    ),
    "",
    "### 6. Scale and memory (SQLite, 1 worker)",
    table(
      ["stored enrollments", "due", "ms per due touch", "touches/s", "worker peak RSS MiB"],
      result.scale.map((p) => [
        p.storedEnrollments,
        p.due,
        p.msPerDueTouch,
        p.touchesPerSecond,
        p.workerPeakRssMiB,
      ]),
    ),
  );
  return parts.join("\n");
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const t0 = performance.now();
  const env = await machine();
  log(`mode ${quick ? "quick" : "full"}; ${env.cores} cores, load ${env.loadAverageAtStart}`);

  const throughputRows: ThroughputRow[] = [];
  for (const [kind, workerCounts] of [
    ["sqlite", [1]],
    ["postgres", [1, 2, 4]],
  ] as const) {
    log(`1. throughput ${kind} with ${workerCounts.join(", ")} worker(s)`);
    throughputRows.push(...(await throughput(kind, [...workerCounts], SIZES.throughput)));
  }
  log("2. real SMTP");
  const smtp = await smtpScenario("sqlite", SIZES.smtp);
  const stl: SpeedToLeadResult[] = [];
  const ingestResults: IngestResult[] = [];
  for (const kind of ["sqlite", "postgres"] as const) {
    log(`3. speed to lead ${kind}`);
    const measured = await speedToLead(kind, SIZES.speedToLead, async (server) => {
      if (!(SIZES.ingest.engines as readonly string[]).includes(kind)) return null;
      log(`5. ingest ${kind} (same server)`);
      return ingest(server, SIZES.ingest);
    });
    stl.push(measured.speedToLead);
    if (measured.followUp) ingestResults.push(measured.followUp);
  }
  log("4. peers: pg-boss");
  const pgBoss = await pgBossPeer(SIZES.peers);
  log("4. peers: BullMQ");
  const bull = await bullmqPeer(SIZES.peers);
  log(`6. scale ${SIZES.scale.levels.join(", ")}`);
  const scalePoints = await scale(SIZES.scale.levels, SIZES.scale);

  const nudgePg1 = throughputRows.find((r) => r.engine === "postgres" && r.workers === 1);
  const peers = { nudge: nudgePg1, results: [pgBoss, bull] };
  const firstScale = scalePoints[0];
  const lastScale = scalePoints[scalePoints.length - 1];
  const result = {
    generatedAt: startedAt.toISOString(),
    mode: quick ? "quick" : "full",
    command: quick ? "npm run bench -- --quick" : "npm run bench",
    durationSeconds: 0,
    machine: env,
    sizes: SIZES,
    scenarios: {
      throughput: throughputRows,
      smtp,
      speedToLead: stl,
      peers: {
        nudge: nudgePg1
          ? { engine: "postgres", workers: 1, ...nudgePg1.nudge, stored: nudgePg1.stored }
          : null,
        results: [pgBoss, bull],
        nudgeOverPeer: Object.fromEntries(
          [pgBoss, bull].map((p) => [
            p.peer,
            nudgePg1 ? ratio(nudgePg1.nudge.touchesPerSecond, p.touchesPerSecond) : null,
          ]),
        ),
      },
      ingest: ingestResults,
      scale: {
        points: scalePoints,
        largestOverSmallestMsPerTouch:
          firstScale && lastScale ? ratio(lastScale.msPerDueTouch, firstScale.msPerDueTouch) : null,
      },
    },
    ratios: {
      nudgeOverFloor: Object.fromEntries(
        throughputRows.map((r) => [`${r.engine}x${r.workers}`, r.nudgeOverFloor]),
      ),
      nudgeOverRawSmtp: smtp.nudgeOverRaw,
      nudgeOverPgBoss: nudgePg1 ? ratio(nudgePg1.nudge.touchesPerSecond, pgBoss.touchesPerSecond) : null,
      nudgeOverBullmq: nudgePg1 ? ratio(nudgePg1.nudge.touchesPerSecond, bull.touchesPerSecond) : null,
      scaleLargestOverSmallest:
        firstScale && lastScale ? ratio(lastScale.msPerDueTouch, firstScale.msPerDueTouch) : null,
    },
  };
  result.durationSeconds = round((performance.now() - t0) / 1000, 1);
  const dir = join(REPO_ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  // latest.json is whichever mode ran last; latest-<mode>.json keeps each mode's last run.
  writeFileSync(join(dir, "latest.json"), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(dir, `latest-${result.mode}.json`), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `${markdown({ throughput: throughputRows, smtp, speedToLead: stl, peers, ingest: ingestResults, scale: scalePoints })}\n\n` +
      `Mode ${result.mode}, ${result.durationSeconds} s, written to bench/results/latest.json\n`,
  );
}

await main();
