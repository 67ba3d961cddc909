// Enrollments: one contact in one sequence version. The state machine's state lives in
// state_json; the columns mirror what queries need (status, next_run_at, exit reason).

import type { EnrollmentState } from "../../domain/enrollment/types.ts";
import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import type { EnrollmentRow, EnrollmentsTable } from "../schema.ts";
import { ConcurrentUpdateError } from "../transact.ts";

export function readEnrollmentState(row: EnrollmentRow): EnrollmentState {
  return JSON.parse(row.state_json) as EnrollmentState;
}

/** The columns that mirror a state, so a state change is always written whole. */
export function stateColumns(
  state: EnrollmentState,
  nowUtcMs: number,
): Pick<
  EnrollmentsTable,
  | "status"
  | "current_step"
  | "state_json"
  | "next_run_at"
  | "paused_until"
  | "exit_reason"
  | "exit_detail"
  | "hold_reason"
  | "updated_at"
  | "ended_at"
> {
  const ended = state.status === "completed" || state.status === "exited";
  return {
    status: state.status,
    current_step: state.stepId,
    state_json: JSON.stringify(state),
    next_run_at: ended ? null : state.nextRunAtUtcMs,
    paused_until: state.pausedUntilUtcMs,
    exit_reason: state.exitReason,
    exit_detail: state.exitDetail,
    hold_reason: state.holdReason,
    updated_at: nowUtcMs,
    ended_at: ended ? nowUtcMs : null,
  };
}

export async function insertEnrollment(
  db: Executor,
  input: {
    workspaceId: string;
    contactId: string;
    sequenceId: string;
    sequenceVersionId: string;
    state: EnrollmentState;
    enrolledBy?: string | null;
    id?: string;
  },
  nowUtcMs: number,
): Promise<EnrollmentRow> {
  const row: EnrollmentRow = {
    id: input.id ?? newId("enr"),
    workspace_id: input.workspaceId,
    contact_id: input.contactId,
    sequence_id: input.sequenceId,
    sequence_version_id: input.sequenceVersionId,
    enrolled_by: input.enrolledBy ?? null,
    enrolled_at: input.state.enrolledAtUtcMs,
    revision: 0,
    ...stateColumns(input.state, nowUtcMs),
  };
  await db.insertInto("enrollments").values(row).execute();
  return row;
}

/**
 * Writes a new state if nobody wrote one since `expectedRevision` was read; otherwise throws
 * ConcurrentUpdateError and the caller's transaction is retried on fresh data.
 */
export async function saveEnrollmentState(
  db: Executor,
  id: string,
  state: EnrollmentState,
  nowUtcMs: number,
  expectedRevision: number,
): Promise<number> {
  const result = await db
    .updateTable("enrollments")
    .set({ ...stateColumns(state, nowUtcMs), revision: expectedRevision + 1 })
    .where("id", "=", id)
    .where("revision", "=", expectedRevision)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1)
    throw new ConcurrentUpdateError(`enrollment ${id} changed while it was being decided`);
  return expectedRevision + 1;
}

export async function getEnrollment(
  db: Executor,
  workspaceId: string,
  id: string,
): Promise<EnrollmentRow | undefined> {
  return db
    .selectFrom("enrollments")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}

/** Running (active or paused) enrollments of a contact, across sequences. */
export async function runningEnrollmentsOfContact(db: Executor, contactId: string): Promise<EnrollmentRow[]> {
  return db
    .selectFrom("enrollments")
    .selectAll()
    .where("contact_id", "=", contactId)
    .where("status", "in", ["active", "paused"])
    .orderBy("enrolled_at")
    .execute();
}

export async function enrollmentsOfContact(db: Executor, contactId: string): Promise<EnrollmentRow[]> {
  return db
    .selectFrom("enrollments")
    .selectAll()
    .where("contact_id", "=", contactId)
    .orderBy("enrolled_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

/** The latest enrollment of a contact in a sequence (any status): for re-enrollment rules. */
export async function latestEnrollmentInSequence(
  db: Executor,
  contactId: string,
  sequenceId: string,
): Promise<EnrollmentRow | undefined> {
  return db
    .selectFrom("enrollments")
    .selectAll()
    .where("contact_id", "=", contactId)
    .where("sequence_id", "=", sequenceId)
    .orderBy("enrolled_at", "desc")
    .orderBy("id", "desc")
    .executeTakeFirst();
}

export async function listEnrollments(
  db: Executor,
  workspaceId: string,
  opts: {
    sequenceId?: string;
    contactId?: string;
    status?: EnrollmentRow["status"];
    cursor?: string | null;
    limit?: number;
  } = {},
): Promise<EnrollmentRow[]> {
  let q = db.selectFrom("enrollments").selectAll().where("workspace_id", "=", workspaceId);
  if (opts.sequenceId) q = q.where("sequence_id", "=", opts.sequenceId);
  if (opts.contactId) q = q.where("contact_id", "=", opts.contactId);
  if (opts.status) q = q.where("status", "=", opts.status);
  if (opts.cursor) q = q.where("id", ">", opts.cursor);
  return q
    .orderBy("id")
    .limit(opts.limit ?? 100)
    .execute();
}

export async function countEnrollmentsByStatus(
  db: Executor,
  sequenceId: string,
): Promise<Record<EnrollmentRow["status"], number>> {
  const rows = await db
    .selectFrom("enrollments")
    .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("sequence_id", "=", sequenceId)
    .groupBy("status")
    .execute();
  const counts = { active: 0, paused: 0, completed: 0, exited: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}
