// One scheduler pass: claim a batch of due enrollments and run each one's tick, all in one
// transaction. If a batch fails, each enrollment is retried alone so one bad row cannot stall
// the rest: the failing one is parked with an `internal_error` hold an operator can see.

import type { Logger } from "pino";
import type { StoreEngine } from "../store/dialect/storeEngine.ts";
import type { Executor } from "../store/executor.ts";
import { claimDueEnrollments } from "../store/ops/claimDueEnrollments.ts";
import { getSequence } from "../store/repos/sequences.ts";
import { getWorkspace } from "../store/repos/workspaces.ts";
import type { EnrollmentRow, Workspace } from "../store/schema.ts";
import { transact } from "../store/transact.ts";
import { runEnrollment } from "./runEnrollment.ts";

export interface DueRunReport {
  processed: number;
  queuedMessages: number;
  failed: number;
}

export interface DueRunOptions {
  nowUtcMs: number;
  limit?: number;
  workspaceId?: string;
  excludeWorkspaceIds?: string[];
  logger?: Logger;
}

export async function runDueEnrollments(engine: StoreEngine, opts: DueRunOptions): Promise<DueRunReport> {
  const claimOpts = {
    nowUtcMs: opts.nowUtcMs,
    limit: opts.limit ?? 100,
    ...(opts.workspaceId ? { workspaceId: opts.workspaceId } : {}),
    ...(opts.excludeWorkspaceIds ? { excludeWorkspaceIds: opts.excludeWorkspaceIds } : {}),
  };
  try {
    return await transact(engine, async (trx) => {
      const rows = await claimDueEnrollments(engine, trx, claimOpts);
      return tickAll(trx, rows, opts.nowUtcMs);
    });
  } catch (error) {
    opts.logger?.error({ err: error }, "scheduler batch failed; retrying enrollments one by one");
    return runOneByOne(engine, claimOpts, opts);
  }
}

/** How often the enrollments of a paused sequence look again whether it was re-activated. */
export const PAUSED_SEQUENCE_RECHECK_MS = 15 * 60_000;

async function tickAll(trx: Executor, rows: EnrollmentRow[], nowUtcMs: number): Promise<DueRunReport> {
  const report: DueRunReport = { processed: 0, queuedMessages: 0, failed: 0 };
  const workspaces = new Map<string, Workspace>();
  const sequenceStatus = new Map<string, string>();
  for (const row of rows) {
    let workspace = workspaces.get(row.workspace_id);
    if (!workspace) {
      workspace = await getWorkspace(trx, row.workspace_id);
      if (!workspace) continue;
      workspaces.set(workspace.id, workspace);
    }
    let status = sequenceStatus.get(row.sequence_id);
    if (status === undefined) {
      status = (await getSequence(trx, workspace.id, row.sequence_id))?.status ?? "archived";
      sequenceStatus.set(row.sequence_id, status);
    }
    if (status === "paused") {
      // A paused sequence holds every enrollment where it stands; nothing is decided or sent.
      await trx
        .updateTable("enrollments")
        .set({ next_run_at: nowUtcMs + PAUSED_SEQUENCE_RECHECK_MS })
        .where("id", "=", row.id)
        .execute();
      continue;
    }
    const applied = await runEnrollment(trx, workspace, row, { kind: "tick" }, nowUtcMs);
    report.processed += 1;
    report.queuedMessages += applied.queuedMessages;
  }
  return report;
}

async function runOneByOne(
  engine: StoreEngine,
  claimOpts: Parameters<typeof claimDueEnrollments>[2],
  opts: DueRunOptions,
): Promise<DueRunReport> {
  const ids = await engine.db
    .transaction()
    .execute(async (trx) => (await claimDueEnrollments(engine, trx, claimOpts)).map((r) => r.id));
  const report: DueRunReport = { processed: 0, queuedMessages: 0, failed: 0 };
  for (const id of ids) {
    try {
      const one = await transact(engine, async (trx) => {
        const rows = await engine
          .lockForClaim(trx.selectFrom("enrollments").selectAll().where("id", "=", id))
          .execute();
        return tickAll(trx, rows, opts.nowUtcMs);
      });
      report.processed += one.processed;
      report.queuedMessages += one.queuedMessages;
    } catch (error) {
      report.failed += 1;
      opts.logger?.error(
        { err: error, enrollmentId: id },
        "enrollment tick failed; parked with hold internal_error",
      );
      await engine.db
        .updateTable("enrollments")
        .set({
          next_run_at: opts.nowUtcMs + 3_600_000,
          hold_reason: `internal_error: ${(error as Error).message}`.slice(0, 500),
          updated_at: opts.nowUtcMs,
        })
        .where("id", "=", id)
        .execute();
    }
  }
  return report;
}
