// A rep's task list in the order they work it (due time, then id), paged by that same key so
// a page boundary never skips or repeats a task.

import type { Executor } from "../executor.ts";
import type { TaskRow } from "../schema.ts";

export interface TaskFilter {
  assigneeId?: string;
  status?: TaskRow["status"];
  dueBeforeUtcMs?: number;
  contactId?: string;
  enrollmentId?: string;
  type?: TaskRow["type"];
}

export async function listTasksPage(
  db: Executor,
  workspaceId: string,
  filter: TaskFilter,
  page: { after?: { dueAtUtcMs: number; id: string } | null; limit: number },
): Promise<TaskRow[]> {
  let q = db.selectFrom("tasks").selectAll().where("workspace_id", "=", workspaceId);
  if (filter.assigneeId) q = q.where("assignee_id", "=", filter.assigneeId);
  if (filter.status) q = q.where("status", "=", filter.status);
  if (filter.dueBeforeUtcMs !== undefined) q = q.where("due_at", "<=", filter.dueBeforeUtcMs);
  if (filter.contactId) q = q.where("contact_id", "=", filter.contactId);
  if (filter.enrollmentId) q = q.where("enrollment_id", "=", filter.enrollmentId);
  if (filter.type) q = q.where("type", "=", filter.type);
  const after = page.after;
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb("due_at", ">", after.dueAtUtcMs),
        eb.and([eb("due_at", "=", after.dueAtUtcMs), eb("id", ">", after.id)]),
      ]),
    );
  }
  return q.orderBy("due_at").orderBy("id").limit(page.limit).execute();
}
