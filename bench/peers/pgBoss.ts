// The 3-step sequence with a reply exit as a team would build it on pg-boss (PostgreSQL): one
// queue, one job per step, `startAfter` for the wait; the handler checks the team's own
// `replied` table, records the send in its `captured` table and queues the next step.
// Configured as pg-boss's README shows: `work()` with a batch and a polling interval.

import pg from "pg";
import PgBoss from "pg-boss";
import { sleep } from "../lib/processes.ts";
import { createPgDatabase, dropPgDatabase } from "../lib/stores.ts";
import {
  NEXT_STEP_WAIT_MS,
  type PeerOptions,
  type PeerResult,
  peerResult,
  STORED_DUE_IN_MS,
  type TouchJob,
} from "./peerResult.ts";

const QUEUE = "touch";
const BATCH = 100;
const POLL_SECONDS = 0.5;

export async function pgBossPeer(opts: PeerOptions): Promise<PeerResult> {
  const { name, url } = await createPgDatabase("pgboss");
  const boss = new PgBoss({ connectionString: url, max: 10 });
  boss.on("error", (error: Error) => console.error("pg-boss:", error.message));
  const app = new pg.Pool({ connectionString: url, max: 5 });
  // An idle client dropped by the server (the database is dropped with FORCE at the end) must
  // not crash the run.
  app.on("error", (error) => console.error("bench pool:", error.message));
  try {
    await boss.start();
    await boss.createQueue(QUEUE);
    await app.query("create table replied (contact text primary key)");
    await app.query(
      "create table captured (id bigserial primary key, contact text not null, step int not null, due_at bigint not null, sent_at bigint not null)",
    );
    const now = Date.now();
    for (let start = 0; start < opts.stored; start += 5_000) {
      const jobs: PgBoss.JobInsert<TouchJob>[] = [];
      for (let i = start; i < Math.min(opts.stored, start + 5_000); i++) {
        const dueAt = now + STORED_DUE_IN_MS;
        jobs.push({
          name: QUEUE,
          data: { contact: `idle${i}`, step: 1, dueAt },
          startAfter: new Date(dueAt),
        });
      }
      await boss.insert(jobs);
    }
    const goAt = Date.now() + 2_000;
    for (let start = 0; start < opts.due; start += 5_000) {
      const jobs: PgBoss.JobInsert<TouchJob>[] = [];
      for (let i = start; i < Math.min(opts.due, start + 5_000); i++) {
        jobs.push({
          name: QUEUE,
          data: { contact: `due${i}`, step: 1, dueAt: goAt },
          startAfter: new Date(goAt),
        });
      }
      await boss.insert(jobs);
    }
    await boss.work<TouchJob>(
      QUEUE,
      { batchSize: BATCH, pollingIntervalSeconds: POLL_SECONDS },
      async (jobs) => {
        for (const job of jobs) {
          const { contact, step, dueAt } = job.data;
          const replied = await app.query("select 1 from replied where contact = $1", [contact]);
          if (replied.rowCount) continue;
          const sentAt = Date.now();
          await app.query("insert into captured (contact, step, due_at, sent_at) values ($1, $2, $3, $4)", [
            contact,
            step,
            dueAt,
            sentAt,
          ]);
          if (step < 3) {
            const next = sentAt + NEXT_STEP_WAIT_MS;
            await boss.send(QUEUE, { contact, step: step + 1, dueAt: next }, { startAfter: new Date(next) });
          }
        }
      },
    );
    const deadline = goAt + opts.timeoutMs;
    while (Date.now() < deadline) {
      const { rows } = await app.query<{ n: string }>("select count(*) as n from captured");
      if (Number(rows[0]?.n ?? 0) >= opts.due) break;
      await sleep(100);
    }
    const { rows } = await app.query<{ due_at: string; sent_at: string }>(
      "select due_at, sent_at from captured",
    );
    return peerResult(
      "pg-boss",
      `pg-boss 10.4: one work() with batchSize ${BATCH}, pollingIntervalSeconds ${POLL_SECONDS}, pool max 10`,
      opts,
      rows.map((r) => ({ dueAt: Number(r.due_at), sentAt: Number(r.sent_at) })),
    );
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    await app.end();
    await dropPgDatabase(name);
  }
}
