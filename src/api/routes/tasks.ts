// /v1/tasks: a rep's calls, LinkedIn touches, manual emails and handoffs, listed by assignee
// and due time, and completed with an outcome (which moves the enrollment on).

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { completeTaskWithOutcome, TASK_OUTCOMES } from "../../engine/enrollmentCommands.ts";
import { readJsonObject } from "../../store/json.ts";
import { listTasksPage } from "../../store/ops/listTasksPage.ts";
import { getEnrollment } from "../../store/repos/enrollments.ts";
import { getTask } from "../../store/repos/tasks.ts";
import type { TaskRow } from "../../store/schema.ts";
import { authOf, wakeWorker, workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { ApiProblem, notFound } from "../problem.ts";
import {
  IdParams,
  IsoTime,
  IsoTimeInput,
  iso,
  isoOrNull,
  JsonObject,
  msOf,
  pageOf,
  pageSchema,
  withProblems,
} from "../schemas/common.ts";
import { EnrollmentOut, toEnrollmentOut } from "../schemas/enrollments.ts";

const TaskOut = z
  .object({
    id: z.string(),
    type: z.enum(["call", "linkedin", "manual_email", "task", "handoff"]),
    title: z.string(),
    note: z.string().nullable(),
    status: z.enum(["open", "done", "skipped", "cancelled"]),
    outcome: z.string().nullable(),
    contact_id: z.string(),
    enrollment_id: z.string().nullable(),
    step_id: z.string().nullable(),
    assignee_id: z.string().nullable(),
    due_at: IsoTime,
    window_end_at: IsoTime.nullable(),
    completed_at: IsoTime.nullable(),
    created_at: IsoTime,
    data: JsonObject,
  })
  .meta({ id: "Task" });

function toTaskOut(t: TaskRow): z.infer<typeof TaskOut> {
  return {
    id: t.id,
    type: t.type,
    title: t.title,
    note: t.note,
    status: t.status,
    outcome: t.outcome,
    contact_id: t.contact_id,
    enrollment_id: t.enrollment_id,
    step_id: t.step_id,
    assignee_id: t.assignee_id,
    due_at: iso(t.due_at),
    window_end_at: isoOrNull(t.window_end_at),
    completed_at: isoOrNull(t.completed_at),
    created_at: iso(t.created_at),
    data: readJsonObject(t.data_json),
  };
}

const TaskListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(300).optional(),
  assignee_id: z.string().max(200).optional(),
  status: z.enum(["open", "done", "skipped", "cancelled"]).optional(),
  due_before: IsoTimeInput.optional().describe("only tasks due at or before this time"),
  contact_id: z.string().max(200).optional(),
  type: z.enum(["call", "linkedin", "manual_email", "task", "handoff"]).optional(),
});

const CompleteBody = z
  .strictObject({
    outcome: z.enum(TASK_OUTCOMES as [string, ...string[]]).describe("what happened; `skip` skips the task"),
    note: z.string().max(5000).optional(),
  })
  .meta({ id: "TaskCompletion" });

const CompleteResult = z
  .object({ task: TaskOut, enrollment: EnrollmentOut.nullable() })
  .meta({ id: "TaskCompleted" });

function taskCursor(t: TaskRow): string {
  return Buffer.from(`${t.due_at}:${t.id}`).toString("base64url");
}

function parseTaskCursor(cursor: string | undefined): { dueAtUtcMs: number; id: string } | null {
  if (cursor === undefined) return null;
  const match = /^(\d{1,16}):([\w-]{1,100})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) {
    throw new ApiProblem(400, "bad-request", "cursor: not a cursor this API gave out", [
      { field: "cursor", message: "pass the next_cursor of the previous page" },
    ]);
  }
  return { dueAtUtcMs: Number(match[1]), id: match[2] ?? "" };
}

export const taskRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/v1/tasks",
    {
      schema: {
        tags: ["tasks"],
        summary: "List tasks by assignee, status and due time (soonest first)",
        querystring: TaskListQuery,
        response: withProblems({ 200: pageSchema(TaskOut) }),
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await listTasksPage(
        app.nudge.engine.db,
        (await workspaceOf(request)).id,
        {
          ...(q.assignee_id ? { assigneeId: q.assignee_id } : {}),
          ...(q.status ? { status: q.status } : {}),
          ...(q.due_before ? { dueBeforeUtcMs: msOf(q.due_before) } : {}),
          ...(q.contact_id ? { contactId: q.contact_id } : {}),
          ...(q.type ? { type: q.type } : {}),
        },
        { after: parseTaskCursor(q.cursor), limit: q.limit + 1 },
      );
      return pageOf(rows, q.limit, toTaskOut, taskCursor);
    },
  );

  app.get(
    "/v1/tasks/:id",
    {
      schema: {
        tags: ["tasks"],
        summary: "Read a task",
        params: IdParams,
        response: withProblems({ 200: TaskOut }),
      },
    },
    async (request) => {
      const task = await getTask(app.nudge.engine.db, (await workspaceOf(request)).id, request.params.id);
      if (!task) throw notFound("task", request.params.id);
      return toTaskOut(task);
    },
  );

  app.post(
    "/v1/tasks/:id/complete",
    {
      config: { allow: ["rep"] },
      schema: {
        tags: ["tasks"],
        summary: "Complete a task with an outcome; its enrollment moves on",
        params: IdParams,
        body: CompleteBody,
        response: withProblems({ 200: CompleteResult }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const by = `api:${authOf(request).keyId}`;
      const result = await commitWrite(request, async (trx) => {
        const done = await completeTaskWithOutcome(
          trx,
          workspace,
          request.params.id,
          request.body.outcome as (typeof TASK_OUTCOMES)[number],
          now,
          { by, ...(request.body.note ? { note: request.body.note } : {}) },
        );
        const enrollment = done.task.enrollment_id
          ? await getEnrollment(trx, workspace.id, done.task.enrollment_id)
          : undefined;
        return {
          statusCode: 200,
          body: { task: toTaskOut(done.task), enrollment: enrollment ? toEnrollmentOut(enrollment) : null },
        };
      });
      await wakeWorker(app.nudge.engine);
      return result.body;
    },
  );
};
