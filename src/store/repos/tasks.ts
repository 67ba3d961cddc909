// Tasks for reps: calls, LinkedIn touches, manual emails, generic to-dos and reply handoffs.

import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import { writeJson } from "../json.ts";
import type { TaskRow } from "../schema.ts";

export type TaskInput = Pick<TaskRow, "workspace_id" | "contact_id" | "type" | "title" | "due_at"> &
  Partial<
    Pick<TaskRow, "enrollment_id" | "step_id" | "idempotency_key" | "assignee_id" | "note" | "window_end_at">
  > & {
    data?: Record<string, unknown>;
  };

/** Creates a task; with an idempotency key already used, returns the existing task. */
export async function createTask(
  db: Executor,
  input: TaskInput,
  nowUtcMs: number,
): Promise<{ task: TaskRow; created: boolean }> {
  const { data, ...rest } = input;
  const row: TaskRow = {
    id: newId("task"),
    enrollment_id: null,
    step_id: null,
    idempotency_key: null,
    assignee_id: null,
    note: null,
    window_end_at: null,
    ...rest,
    data_json: writeJson(data ?? {}),
    status: "open",
    outcome: null,
    completed_at: null,
    created_at: nowUtcMs,
  };
  if (row.idempotency_key) {
    const inserted = await db
      .insertInto("tasks")
      .values(row)
      .onConflict((oc) => oc.column("idempotency_key").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) {
      const existing = await db
        .selectFrom("tasks")
        .selectAll()
        .where("idempotency_key", "=", row.idempotency_key)
        .executeTakeFirstOrThrow();
      return { task: existing, created: false };
    }
    return { task: row, created: true };
  }
  await db.insertInto("tasks").values(row).execute();
  return { task: row, created: true };
}

export async function getTask(db: Executor, workspaceId: string, id: string): Promise<TaskRow | undefined> {
  return db
    .selectFrom("tasks")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function listTasks(
  db: Executor,
  workspaceId: string,
  opts: {
    assigneeId?: string;
    status?: TaskRow["status"];
    dueBeforeUtcMs?: number;
    contactId?: string;
    type?: TaskRow["type"];
    cursor?: string | null;
    limit?: number;
  } = {},
): Promise<TaskRow[]> {
  let q = db.selectFrom("tasks").selectAll().where("workspace_id", "=", workspaceId);
  if (opts.assigneeId) q = q.where("assignee_id", "=", opts.assigneeId);
  if (opts.status) q = q.where("status", "=", opts.status);
  if (opts.dueBeforeUtcMs !== undefined) q = q.where("due_at", "<=", opts.dueBeforeUtcMs);
  if (opts.contactId) q = q.where("contact_id", "=", opts.contactId);
  if (opts.type) q = q.where("type", "=", opts.type);
  if (opts.cursor) q = q.where("id", ">", opts.cursor);
  return q
    .orderBy("due_at")
    .orderBy("id")
    .limit(opts.limit ?? 100)
    .execute();
}

/** Closes an open task; a task already closed is left as it is (returns false). */
export async function completeTask(
  db: Executor,
  workspaceId: string,
  id: string,
  input: { outcome: string; status?: "done" | "skipped" | "cancelled" },
  nowUtcMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable("tasks")
    .set({ status: input.status ?? "done", outcome: input.outcome, completed_at: nowUtcMs })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .where("status", "=", "open")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Closes a step's open tasks the rep did not get to in time (`skip_after`). */
export async function skipOpenTasksOfStep(
  db: Executor,
  enrollmentId: string,
  stepId: string,
  nowUtcMs: number,
): Promise<number> {
  const result = await db
    .updateTable("tasks")
    .set({ status: "skipped", outcome: "auto_skipped", completed_at: nowUtcMs })
    .where("enrollment_id", "=", enrollmentId)
    .where("step_id", "=", stepId)
    .where("status", "=", "open")
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Cancels a running enrollment's open tasks when it exits. */
export async function cancelOpenTasksOfEnrollment(
  db: Executor,
  enrollmentId: string,
  nowUtcMs: number,
): Promise<number> {
  const result = await db
    .updateTable("tasks")
    .set({ status: "cancelled", outcome: "enrollment_ended", completed_at: nowUtcMs })
    .where("enrollment_id", "=", enrollmentId)
    .where("status", "=", "open")
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Open tasks whose idempotency key starts with `prefix` (e.g. every call-back task of one call). */
export async function openTasksWithKeyPrefix(
  db: Executor,
  workspaceId: string,
  prefix: string,
): Promise<TaskRow[]> {
  return db
    .selectFrom("tasks")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("status", "=", "open")
    .where("idempotency_key", "like", `${prefix.replace(/[%_\\]/g, "\\$&")}%`)
    .orderBy("id")
    .execute();
}
