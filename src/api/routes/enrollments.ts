// /v1/enrollments: enroll one or many contacts (in one transaction, then the worker is woken
// so the first touch goes out at once), read, pause, resume, exit, timeline.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Transaction } from "kysely";
import type { z } from "zod";
import { type EnrollResult, enrollContact } from "../../engine/enroll.ts";
import { exitEnrollment, pauseEnrollment, resumeEnrollment } from "../../engine/enrollmentCommands.ts";
import { getContact } from "../../store/repos/contacts.ts";
import { getEnrollment, listEnrollments } from "../../store/repos/enrollments.ts";
import { findSequence } from "../../store/repos/sequences.ts";
import type { Database, Workspace } from "../../store/schema.ts";
import { authOf, wakeWorker, workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { notFound } from "../problem.ts";
import { requireSequence, resolveContactRef, upsertInlineContact } from "../references.ts";
import { IdParams, msOf, NoBody, pageOf, pageSchema, withProblems } from "../schemas/common.ts";
import {
  EnrollBody,
  EnrollmentListQuery,
  EnrollmentOut,
  type EnrollOutcome,
  EnrollReport,
  ExitBody,
  PauseBody,
  toEnrollmentOut,
} from "../schemas/enrollments.ts";
import { TimelineItem, TimelineQuery } from "../schemas/timeline.ts";
import { timelinePage } from "../timelinePage.ts";

type Outcome = z.infer<typeof EnrollOutcome>;

function outcomeOf(contactId: string | null, result: EnrollResult): Outcome {
  switch (result.status) {
    case "enrolled":
    case "queued":
      return {
        contact_id: contactId,
        status: result.status,
        reason: null,
        detail: null,
        enrollment: toEnrollmentOut(result.enrollment),
      };
    case "skipped":
      return {
        contact_id: contactId,
        status: "skipped",
        reason: result.reason,
        detail: result.detail,
        enrollment: null,
      };
    default: {
      const unhandled: never = result;
      throw new Error(`unhandled enroll result ${JSON.stringify(unhandled)}`);
    }
  }
}

async function enrollMany(
  trx: Transaction<Database>,
  workspace: Workspace,
  body: z.infer<typeof EnrollBody>,
  nowUtcMs: number,
  enrolledBy: string,
): Promise<z.infer<typeof EnrollReport>> {
  const sequence = await requireSequence(trx, workspace.id, body.sequence_id, "sequence_id");
  const results: Outcome[] = [];
  const enroll = async (contactId: string) =>
    outcomeOf(contactId, await enrollContact(trx, workspace, sequence, contactId, nowUtcMs, { enrolledBy }));
  if (body.contacts) {
    for (const [index, item] of body.contacts.entries()) {
      if ("contact_id" in item) {
        // In a batch, an unknown id is one skipped contact, not a failed batch.
        const contact = await getContact(trx, workspace.id, item.contact_id);
        results.push(
          contact
            ? await enroll(contact.id)
            : {
                contact_id: item.contact_id,
                status: "skipped",
                reason: "contact_not_found",
                detail: `no contact ${item.contact_id}`,
                enrollment: null,
              },
        );
      } else {
        const contact = await upsertInlineContact(trx, workspace, item, nowUtcMs, ["contacts", index], "api");
        results.push(await enroll(contact.id));
      }
    }
  } else {
    const contact = await resolveContactRef(trx, workspace, body, nowUtcMs, [], "api");
    results.push(await enroll(contact.id));
  }
  return {
    results,
    enrolled: results.filter((r) => r.status === "enrolled").length,
    queued: results.filter((r) => r.status === "queued").length,
    skipped: results.filter((r) => r.status === "skipped").length,
  };
}

export const enrollmentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    "/v1/enrollments",
    {
      config: { allow: ["rep"] },
      schema: {
        tags: ["enrollments"],
        summary: "Enroll one contact or many into a sequence",
        description:
          "Each contact is reported as enrolled, queued (behind another sequence, by workspace policy) or skipped with a reason. 201 when at least one contact started.",
        body: EnrollBody,
        response: withProblems({ 200: EnrollReport, 201: EnrollReport }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const enrolledBy = `api:${authOf(request).keyId}`;
      const result = await commitWrite(request, async (trx) => {
        const report = await enrollMany(trx, workspace, request.body, now, enrolledBy);
        return { statusCode: report.enrolled + report.queued > 0 ? 201 : 200, body: report };
      });
      await wakeWorker(app.nudge.engine);
      return reply.code(result.statusCode).send(result.body);
    },
  );

  app.get(
    "/v1/enrollments",
    {
      schema: {
        tags: ["enrollments"],
        summary: "List enrollments",
        querystring: EnrollmentListQuery,
        response: withProblems({ 200: pageSchema(EnrollmentOut) }),
      },
    },
    async (request) => {
      const db = app.nudge.engine.db;
      const workspace = await workspaceOf(request);
      const { limit, cursor, sequence_id, contact_id, status } = request.query;
      let sequenceId: string | undefined;
      if (sequence_id) {
        // An unknown sequence simply has no enrollments.
        sequenceId = (await findSequence(db, workspace.id, sequence_id))?.id ?? sequence_id;
      }
      const rows = await listEnrollments(db, workspace.id, {
        limit: limit + 1,
        cursor: cursor ?? null,
        ...(sequenceId ? { sequenceId } : {}),
        ...(contact_id ? { contactId: contact_id } : {}),
        ...(status ? { status } : {}),
      });
      return pageOf(rows, limit, toEnrollmentOut, (r) => r.id);
    },
  );

  app.get(
    "/v1/enrollments/:id",
    {
      schema: {
        tags: ["enrollments"],
        summary: "Read an enrollment: state, current step, next run, exit and hold reasons",
        params: IdParams,
        response: withProblems({ 200: EnrollmentOut }),
      },
    },
    async (request) => {
      const row = await getEnrollment(
        app.nudge.engine.db,
        (await workspaceOf(request)).id,
        request.params.id,
      );
      if (!row) throw notFound("enrollment", request.params.id);
      return toEnrollmentOut(row);
    },
  );

  const command = (
    path: string,
    summary: string,
    body: typeof PauseBody | typeof ExitBody | typeof NoBody,
    run: (
      trx: Transaction<Database>,
      workspace: Workspace,
      id: string,
      body: unknown,
      now: number,
    ) => Promise<unknown>,
  ) =>
    app.post(
      path,
      {
        config: { allow: ["rep"] },
        schema: {
          tags: ["enrollments"],
          summary,
          params: IdParams,
          body,
          response: withProblems({ 200: EnrollmentOut }),
        },
      },
      async (request) => {
        const workspace = await workspaceOf(request);
        const now = app.nudge.now(workspace);
        const { id } = request.params as { id: string };
        const result = await commitWrite(request, async (trx) => {
          await run(trx, workspace, id, request.body, now);
          const row = await getEnrollment(trx, workspace.id, id);
          if (!row) throw notFound("enrollment", id);
          return { statusCode: 200, body: toEnrollmentOut(row) };
        });
        await wakeWorker(app.nudge.engine);
        return result.body;
      },
    );

  command(
    "/v1/enrollments/:id/pause",
    "Pause an enrollment, until a time or until resumed",
    PauseBody,
    (trx, ws, id, body, now) => {
      const until = (body as z.infer<typeof PauseBody>)?.until;
      return pauseEnrollment(trx, ws, id, until ? msOf(until) : null, now);
    },
  );
  command("/v1/enrollments/:id/resume", "Resume a paused enrollment", NoBody, (trx, ws, id, _body, now) =>
    resumeEnrollment(trx, ws, id, now),
  );
  command("/v1/enrollments/:id/exit", "Stop an enrollment by hand", ExitBody, (trx, ws, id, body, now) => {
    const parsed = body as z.infer<typeof ExitBody>;
    return exitEnrollment(trx, ws, id, parsed?.reason ?? "manual", parsed?.detail, now);
  });

  app.get(
    "/v1/enrollments/:id/timeline",
    {
      schema: {
        tags: ["enrollments"],
        summary: "What happened in one enrollment, newest first",
        params: IdParams,
        querystring: TimelineQuery,
        response: withProblems({ 200: pageSchema(TimelineItem) }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const db = app.nudge.engine.db;
      if (!(await getEnrollment(db, workspace.id, request.params.id)))
        throw notFound("enrollment", request.params.id);
      return timelinePage(db, workspace.id, { enrollmentId: request.params.id }, request.query);
    },
  );
};
