// Opens a task for a rep and tells the subscribed webhooks (`task.created`) in the same
// transaction. Every task a rep should hear about goes through here: step tasks, reply
// handoffs, re-engagement reminders and on-complete tasks.

import type { Executor } from "../store/executor.ts";
import { createTask, type TaskInput } from "../store/repos/tasks.ts";
import { enqueueWebhookDeliveries } from "../store/repos/webhooks.ts";
import type { TaskRow } from "../store/schema.ts";

export async function openTask(
  trx: Executor,
  input: TaskInput,
  nowUtcMs: number,
): Promise<{ task: TaskRow; created: boolean }> {
  const result = await createTask(trx, input, nowUtcMs);
  if (result.created) {
    await enqueueWebhookDeliveries(
      trx,
      input.workspace_id,
      "task.created",
      taskCreatedPayload(result.task),
      nowUtcMs,
    );
  }
  return result;
}

export function taskCreatedPayload(task: TaskRow) {
  return {
    task_id: task.id,
    type: task.type,
    title: task.title,
    contact_id: task.contact_id,
    enrollment_id: task.enrollment_id,
    due_at: new Date(task.due_at).toISOString(),
    assignee_id: task.assignee_id,
  };
}
