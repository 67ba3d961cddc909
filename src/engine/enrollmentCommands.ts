// What people do to enrollments and tasks by hand (API, CLI, UI): complete a task with an
// outcome, pause, resume, exit. Each goes through `decide`, like everything else.

import type { TaskOutcome } from "../domain/enrollment/types.ts";
import type { ExitReason } from "../domain/sequence/definition.ts";
import type { Executor } from "../store/executor.ts";
import { getEnrollment } from "../store/repos/enrollments.ts";
import { recordEvent } from "../store/repos/events.ts";
import { completeTask, getTask } from "../store/repos/tasks.ts";
import type { EnrollmentRow, TaskRow, Workspace } from "../store/schema.ts";
import type { AppliedDecision } from "./applyDecision.ts";
import { runEnrollment } from "./runEnrollment.ts";

export const TASK_OUTCOMES: TaskOutcome[] = [
  "connected",
  "meeting_booked",
  "no_answer",
  "left_voicemail",
  "wrong_number",
  "skip",
];

export class CommandError extends Error {
  override readonly name = "CommandError";
  constructor(
    readonly code: "not_found" | "conflict" | "invalid",
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export async function completeTaskWithOutcome(
  trx: Executor,
  workspace: Workspace,
  taskId: string,
  outcome: TaskOutcome,
  nowUtcMs: number,
  opts: { note?: string; by?: string } = {},
): Promise<{ task: TaskRow; enrollment: AppliedDecision | null }> {
  const task = await getTask(trx, workspace.id, taskId);
  if (!task) throw new CommandError("not_found", `no task ${taskId}`);
  if (task.status !== "open") throw new CommandError("conflict", `task ${taskId} is already ${task.status}`);
  const closed = await completeTask(
    trx,
    workspace.id,
    taskId,
    { outcome, status: outcome === "skip" ? "skipped" : "done" },
    nowUtcMs,
  );
  if (!closed) throw new CommandError("conflict", `task ${taskId} was closed by someone else`);
  await recordEvent(
    trx,
    {
      workspaceId: workspace.id,
      type: "task.completed",
      contactId: task.contact_id,
      enrollmentId: task.enrollment_id,
      data: {
        task_id: task.id,
        type: task.type,
        step: task.step_id,
        outcome,
        note: opts.note ?? null,
        by: opts.by ?? null,
      },
      occurredAtUtcMs: nowUtcMs,
      source: "rep",
    },
    nowUtcMs,
  );
  let applied: AppliedDecision | null = null;
  if (task.enrollment_id && task.step_id) {
    const enrollment = await getEnrollment(trx, workspace.id, task.enrollment_id);
    if (enrollment && (enrollment.status === "active" || enrollment.status === "paused")) {
      applied = await runEnrollment(
        trx,
        workspace,
        enrollment,
        { kind: "task_completed", step: task.step_id, outcome },
        nowUtcMs,
      );
    }
  }
  return {
    task: { ...task, status: outcome === "skip" ? "skipped" : "done", outcome, completed_at: nowUtcMs },
    enrollment: applied,
  };
}

async function runningEnrollment(trx: Executor, workspace: Workspace, id: string): Promise<EnrollmentRow> {
  const enrollment = await getEnrollment(trx, workspace.id, id);
  if (!enrollment) throw new CommandError("not_found", `no enrollment ${id}`);
  if (enrollment.status === "completed" || enrollment.status === "exited") {
    throw new CommandError(
      "conflict",
      `enrollment ${id} has already ${enrollment.status === "exited" ? "exited" : "completed"}`,
    );
  }
  return enrollment;
}

export async function pauseEnrollment(
  trx: Executor,
  workspace: Workspace,
  id: string,
  untilUtcMs: number | null,
  nowUtcMs: number,
): Promise<AppliedDecision> {
  const enrollment = await runningEnrollment(trx, workspace, id);
  return runEnrollment(trx, workspace, enrollment, { kind: "pause", untilUtcMs }, nowUtcMs);
}

export async function resumeEnrollment(
  trx: Executor,
  workspace: Workspace,
  id: string,
  nowUtcMs: number,
): Promise<AppliedDecision> {
  const enrollment = await runningEnrollment(trx, workspace, id);
  return runEnrollment(trx, workspace, enrollment, { kind: "resume" }, nowUtcMs);
}

export async function exitEnrollment(
  trx: Executor,
  workspace: Workspace,
  id: string,
  reason: ExitReason,
  detail: string | undefined,
  nowUtcMs: number,
): Promise<AppliedDecision> {
  const enrollment = await runningEnrollment(trx, workspace, id);
  return runEnrollment(
    trx,
    workspace,
    enrollment,
    { kind: "exit", reason, ...(detail ? { detail } : {}) },
    nowUtcMs,
  );
}
