// Claims queued outbox rows that are due, in the order they must go out. Runs inside a
// transaction: PostgreSQL workers skip each other's locked rows; SQLite serialises writers.

import type { Transaction } from "kysely";
import type { StoreEngine } from "../dialect/storeEngine.ts";
import type { Database, MessageRow } from "../schema.ts";

export async function claimOutboxMessages(
  engine: StoreEngine,
  trx: Transaction<Database>,
  opts: { nowUtcMs: number; limit: number; workspaceId?: string; excludeWorkspaceIds?: string[] },
): Promise<MessageRow[]> {
  let query = trx
    .selectFrom("messages")
    .selectAll()
    .where("status", "=", "queued")
    .where("next_attempt_at", "<=", opts.nowUtcMs);
  if (opts.workspaceId) query = query.where("workspace_id", "=", opts.workspaceId);
  if (opts.excludeWorkspaceIds && opts.excludeWorkspaceIds.length > 0) {
    query = query.where("workspace_id", "not in", opts.excludeWorkspaceIds);
  }
  query = query.orderBy("next_attempt_at").orderBy("created_at").orderBy("id").limit(opts.limit);
  return engine.lockForClaim(query).execute();
}

/** The earliest queued send, so an idle sender knows how long it may sleep. */
export async function nextOutboxAt(
  db: StoreEngine["db"],
  workspaceId?: string,
  excludeWorkspaceIds: string[] = [],
): Promise<number | null> {
  let query = db
    .selectFrom("messages")
    .select((eb) => eb.fn.min("next_attempt_at").as("at"))
    .where("status", "=", "queued");
  if (workspaceId) query = query.where("workspace_id", "=", workspaceId);
  if (excludeWorkspaceIds.length > 0) query = query.where("workspace_id", "not in", excludeWorkspaceIds);
  const row = await query.executeTakeFirst();
  return row?.at === null || row?.at === undefined ? null : Number(row.at);
}

/**
 * A row left in `sending` longer than the lease belongs to a worker that died while the
 * transport had it: the message may or may not have gone out. It becomes `uncertain`, is never
 * resent automatically, and is shown to an operator.
 */
export async function markAbandonedSendsUncertain(
  db: StoreEngine["db"],
  opts: { nowUtcMs: number; leaseMs: number },
): Promise<number> {
  const result = await db
    .updateTable("messages")
    .set({
      status: "uncertain",
      last_error:
        "worker stopped while the transport had this message; it may or may not have been delivered",
      updated_at: opts.nowUtcMs,
    })
    .where("status", "=", "sending")
    .where("updated_at", "<", opts.nowUtcMs - opts.leaseMs)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
