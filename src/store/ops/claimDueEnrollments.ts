// Claims the enrollments whose next run is due, oldest first. Must run inside a transaction:
// on PostgreSQL the rows stay locked (FOR UPDATE SKIP LOCKED) until it commits, so concurrent
// workers take disjoint batches; on SQLite the transaction itself is exclusive (BEGIN IMMEDIATE).

import { sql, type Transaction } from "kysely";
import type { StoreEngine } from "../dialect/storeEngine.ts";
import type { Database, EnrollmentRow } from "../schema.ts";

export async function claimDueEnrollments(
  engine: StoreEngine,
  trx: Transaction<Database>,
  opts: { nowUtcMs: number; limit: number; workspaceId?: string; excludeWorkspaceIds?: string[] },
): Promise<EnrollmentRow[]> {
  let query = trx
    .selectFrom("enrollments")
    .selectAll()
    // Literal statuses, so SQLite can prove the partial index enrollments_due applies.
    .where("status", "in", [sql.lit<"active">("active"), sql.lit<"paused">("paused")])
    .where("next_run_at", "is not", null)
    .where("next_run_at", "<=", opts.nowUtcMs);
  if (opts.workspaceId) query = query.where("workspace_id", "=", opts.workspaceId);
  if (opts.excludeWorkspaceIds && opts.excludeWorkspaceIds.length > 0) {
    query = query.where("workspace_id", "not in", opts.excludeWorkspaceIds);
  }
  query = query.orderBy("next_run_at").orderBy("id").limit(opts.limit);
  return engine.lockForClaim(query).execute();
}

/** The earliest pending run time, so an idle worker knows how long it may sleep. */
export async function nextDueAt(
  trx: Transaction<Database> | StoreEngine["db"],
  workspaceId?: string,
  excludeWorkspaceIds: string[] = [],
) {
  let query = trx
    .selectFrom("enrollments")
    .select((eb) => eb.fn.min("next_run_at").as("at"))
    .where("status", "in", [sql.lit<"active">("active"), sql.lit<"paused">("paused")])
    .where("next_run_at", "is not", null);
  if (workspaceId) query = query.where("workspace_id", "=", workspaceId);
  if (excludeWorkspaceIds.length > 0) query = query.where("workspace_id", "not in", excludeWorkspaceIds);
  const row = await query.executeTakeFirst();
  return row?.at === null || row?.at === undefined ? null : Number(row.at);
}
