// What /metrics reports about the queues, in three cheap aggregate queries: due enrollments
// and how late the oldest is, queued and uncertain outbox rows, pending webhook deliveries.
// Workspaces on a sandbox test clock are left out: their time is not the wall clock's.

import { sql } from "kysely";
import type { Executor } from "../executor.ts";

export interface QueueGauges {
  dueEnrollments: number;
  /** now − the oldest due next_run_at, 0 when nothing is due. */
  schedulerLagMs: number;
  outboxQueued: number;
  outboxUncertain: number;
  webhookDeliveriesPending: number;
}

export async function readQueueGauges(db: Executor, nowUtcMs: number): Promise<QueueGauges> {
  const liveClock = db.selectFrom("workspaces").select("id").where("clock_at", "is", null);
  const [due, outbox, hooks] = await Promise.all([
    db
      .selectFrom("enrollments")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.min("next_run_at").as("oldest")])
      .where("status", "in", [sql.lit<"active">("active"), sql.lit<"paused">("paused")])
      .where("next_run_at", "is not", null)
      .where("next_run_at", "<=", nowUtcMs)
      .where("workspace_id", "in", liveClock)
      .executeTakeFirst(),
    db
      .selectFrom("messages")
      .select((eb) => [
        eb.fn.sum<number>(eb.case().when("status", "=", "queued").then(1).else(0).end()).as("queued"),
        eb.fn.sum<number>(eb.case().when("status", "=", "uncertain").then(1).else(0).end()).as("uncertain"),
      ])
      .where("status", "in", ["queued", "uncertain"])
      .executeTakeFirst(),
    db
      .selectFrom("webhook_deliveries")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "pending")
      .executeTakeFirst(),
  ]);
  const oldest = due?.oldest === null || due?.oldest === undefined ? null : Number(due.oldest);
  return {
    dueEnrollments: Number(due?.n ?? 0),
    schedulerLagMs: oldest === null ? 0 : Math.max(0, nowUtcMs - oldest),
    outboxQueued: Number(outbox?.queued ?? 0),
    outboxUncertain: Number(outbox?.uncertain ?? 0),
    webhookDeliveriesPending: Number(hooks?.n ?? 0),
  };
}
