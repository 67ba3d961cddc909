// /v1/suppressions: addresses, domains and phone numbers nobody may message. Adding one stops,
// in the same transaction, every running enrollment of the contacts it covers.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { exitEnrollment } from "../../engine/enrollmentCommands.ts";
import { runningContactsForSuppression } from "../../store/ops/runningContactsForSuppression.ts";
import { runningEnrollmentsOfContact } from "../../store/repos/enrollments.ts";
import { addSuppression, listSuppressions, removeSuppression } from "../../store/repos/suppressions.ts";
import type { Suppression } from "../../store/schema.ts";
import { wakeWorker, workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { notFound } from "../problem.ts";
import {
  IdParams,
  IsoTime,
  iso,
  isPhoneLike,
  isPlausibleEmail,
  pageOf,
  pageSchema,
  withProblems,
} from "../schemas/common.ts";

const SuppressionOut = z
  .object({
    id: z.string(),
    kind: z.enum(["email", "phone", "domain"]),
    value: z.string(),
    reason: z.string(),
    source: z.string(),
    created_at: IsoTime,
  })
  .meta({ id: "Suppression" });

function toSuppressionOut(s: Suppression): z.infer<typeof SuppressionOut> {
  return {
    id: s.id,
    kind: s.kind,
    value: s.value,
    reason: s.reason,
    source: s.source,
    created_at: iso(s.created_at),
  };
}

const DOMAIN = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/i;

const SuppressionCreate = z
  .strictObject({
    kind: z.enum(["email", "phone", "domain"]),
    value: z.string().trim().min(1).max(254),
    reason: z.string().trim().min(1).max(200).optional().describe("default `manual`"),
  })
  .superRefine((body, ctx) => {
    const ok =
      body.kind === "email"
        ? isPlausibleEmail(body.value)
        : body.kind === "domain"
          ? DOMAIN.test(body.value)
          : isPhoneLike(body.value);
    if (!ok) ctx.addIssue({ code: "custom", path: ["value"], message: `not a valid ${body.kind}` });
  })
  .meta({ id: "SuppressionCreate" });

const SuppressionResult = z
  .object({
    suppression: SuppressionOut,
    created: z.boolean().describe("false when it already existed (its first reason stands)"),
    exited_enrollment_ids: z.array(z.string()),
  })
  .meta({ id: "SuppressionAdded" });

const SuppressionListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(300).optional(),
  kind: z.enum(["email", "phone", "domain"]).optional(),
});

export const suppressionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/v1/suppressions",
    {
      schema: {
        tags: ["suppressions"],
        summary: "List suppressions",
        querystring: SuppressionListQuery,
        response: withProblems({ 200: pageSchema(SuppressionOut) }),
      },
    },
    async (request) => {
      const { limit, cursor, kind } = request.query;
      const rows = await listSuppressions(app.nudge.engine.db, (await workspaceOf(request)).id, {
        limit: limit + 1,
        cursor: cursor ?? null,
        ...(kind ? { kind } : {}),
      });
      return pageOf(rows, limit, toSuppressionOut, (r) => r.id);
    },
  );

  app.post(
    "/v1/suppressions",
    {
      schema: {
        tags: ["suppressions"],
        summary: "Suppress an email, domain or phone number; running enrollments it covers exit",
        body: SuppressionCreate,
        response: withProblems({ 200: SuppressionResult, 201: SuppressionResult }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const { kind, value, reason } = request.body;
      const result = await commitWrite(request, async (trx) => {
        const added = await addSuppression(
          trx,
          workspace.id,
          { kind, value, reason: reason ?? "manual", source: "api" },
          now,
        );
        const exited: string[] = [];
        for (const contactId of await runningContactsForSuppression(trx, workspace.id, kind, value)) {
          for (const enrollment of await runningEnrollmentsOfContact(trx, contactId)) {
            const applied = await exitEnrollment(
              trx,
              workspace,
              enrollment.id,
              "unsubscribed",
              `suppressed ${kind} ${added.suppression.value} (${added.suppression.reason})`,
              now,
            );
            if (applied.state.status === "exited") exited.push(enrollment.id);
          }
        }
        return {
          statusCode: added.created ? 201 : 200,
          body: {
            suppression: toSuppressionOut(added.suppression),
            created: added.created,
            exited_enrollment_ids: exited,
          },
        };
      });
      await wakeWorker(app.nudge.engine);
      return reply.code(result.statusCode).send(result.body);
    },
  );

  app.delete(
    "/v1/suppressions/:id",
    {
      schema: {
        tags: ["suppressions"],
        summary: "Lift a suppression (enrollments it ended stay ended)",
        params: IdParams,
        response: withProblems({ 204: z.undefined() }),
      },
    },
    async (request, reply) => {
      const removed = await removeSuppression(
        app.nudge.engine.db,
        (await workspaceOf(request)).id,
        request.params.id,
      );
      if (!removed) throw notFound("suppression", request.params.id);
      return reply.code(204).send();
    },
  );
};
