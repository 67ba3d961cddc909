// Activate, pause or archive a sequence. While a sequence is paused its enrollments and queued
// touches look again every PAUSED_SEQUENCE_RECHECK_MS; activating it makes them due at once, so
// a cadence carries on the moment someone presses Activate instead of up to 15 minutes later.

import type { Executor } from "../store/executor.ts";
import { setSequenceStatus } from "../store/repos/sequences.ts";
import type { SequenceRow } from "../store/schema.ts";
import { PAUSED_SEQUENCE_RECHECK_MS } from "./runDueEnrollments.ts";

export interface StatusChange {
  /** Enrollments made due now (an early tick is harmless: `decide` waits for each one's time). */
  wokenEnrollments: number;
  /** Touches held back by the pause, queued again now. */
  wokenTouches: number;
}

export async function changeSequenceStatus(
  trx: Executor,
  workspaceId: string,
  sequenceId: string,
  status: SequenceRow["status"],
  nowUtcMs: number,
): Promise<StatusChange> {
  await setSequenceStatus(trx, workspaceId, sequenceId, status, nowUtcMs);
  if (status !== "active") return { wokenEnrollments: 0, wokenTouches: 0 };
  const enrollments = await trx
    .updateTable("enrollments")
    .set({ next_run_at: nowUtcMs })
    .where("workspace_id", "=", workspaceId)
    .where("sequence_id", "=", sequenceId)
    .where("status", "=", "active")
    .where("next_run_at", ">", nowUtcMs)
    .where("next_run_at", "<=", nowUtcMs + PAUSED_SEQUENCE_RECHECK_MS)
    .executeTakeFirst();
  const touches = await trx
    .updateTable("messages")
    .set({ next_attempt_at: nowUtcMs })
    .where("workspace_id", "=", workspaceId)
    .where("status", "=", "queued")
    .where("hold_reason", "=", "deferred:sequence_paused")
    .where("next_attempt_at", ">", nowUtcMs)
    .where("enrollment_id", "in", (eb) =>
      eb.selectFrom("enrollments").select("id").where("sequence_id", "=", sequenceId),
    )
    .executeTakeFirst();
  return {
    wokenEnrollments: Number(enrollments.numUpdatedRows),
    wokenTouches: Number(touches.numUpdatedRows),
  };
}
