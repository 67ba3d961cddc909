// Two reads the web app needs that the rest of the API did not have: the inbox (inbound
// messages, newest first, with their intent, contact and handoff task; the label can be
// corrected, and a re-engagement task opened N days out) and a dry-run check of a sequence source that stores nothing (the editor calls it
// as you type, and draws its step timeline from the answer).

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Delay, Step } from "../../domain/sequence/definition.ts";
import { parseSequence } from "../../domain/sequence/parseSequence.ts";
import { assigneeFor } from "../../engine/assignTask.ts";
import { openTask } from "../../engine/openTask.ts";
import { getContact } from "../../store/repos/contacts.ts";
import { listInboundMessages } from "../../store/repos/inboundMessages.ts";
import { workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { ApiProblem } from "../problem.ts";
import { IdParams, IsoTime, iso, withProblems } from "../schemas/common.ts";

const CLASSES = ["bounce_hard", "bounce_soft", "auto_reply", "unsubscribe_request", "human_reply"] as const;

const InboxQuery = z.strictObject({
  class: z.enum(CLASSES).optional(),
  contact_id: z.string().max(200).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const InboxItem = z
  .object({
    id: z.string(),
    received_at: IsoTime,
    class: z.enum(CLASSES),
    intent: z.string().nullable(),
    rule: z.string(),
    from: z.string().nullable(),
    subject: z.string().nullable(),
    snippet: z.string().nullable(),
    contact: z.object({ id: z.string(), email: z.string().nullable(), name: z.string() }).nullable(),
    handoff_task: z.object({ id: z.string(), status: z.string() }).nullable(),
  })
  .meta({ id: "InboxItem" });

const InboxPage = z.object({ data: z.array(InboxItem), next_cursor: z.string().nullable() });

const LabelBody = z.strictObject({ intent: z.string().trim().min(1).max(60) });

const ReengageBody = z.strictObject({ days: z.number().int().min(1).max(365) });
const ReengageOut = z.object({ task_id: z.string(), due_at: IsoTime }).meta({ id: "Reengagement" });

const ValidateBody = z.strictObject({ source: z.string().max(1_000_000) });

const Located = z.object({
  line: z.number(),
  column: z.number(),
  path: z.string(),
  message: z.string(),
  hint: z.string().optional(),
});

const ValidateOut = z
  .object({
    ok: z.boolean(),
    errors: z.array(Located),
    warnings: z.array(Located.extend({ code: z.string() })),
    sequence: z
      .object({
        id: z.string(),
        name: z.string(),
        steps: z.array(
          z.object({
            id: z.string(),
            kind: z.string(),
            wait: z.string(),
            line: z.number().nullable(),
            summary: z.string(),
          }),
        ),
      })
      .nullable(),
  })
  .meta({ id: "SequenceCheck" });

function describeDelay(delay: Delay): string {
  switch (delay.kind) {
    case "none":
      return "right away";
    case "minutes":
      return `${delay.minutes} min`;
    case "hours":
      return `${delay.hours} h`;
    case "days":
      return `${delay.days} ${delay.business ? "business " : ""}day${delay.days === 1 ? "" : "s"}`;
    default:
      return "next business morning";
  }
}

function describeStep(step: Step): string {
  switch (step.kind) {
    case "email":
      return step.email.subject ?? (step.email.thread ? "(reply in thread)" : "(no subject)");
    case "sms":
      return step.sms.body.slice(0, 80);
    case "call":
      return step.call.note?.split("\n")[0] ?? "call";
    case "linkedin":
      return `LinkedIn ${step.linkedin.action}`;
    case "manual_email":
      return step.manual_email.subject ?? "manual email";
    case "task":
      return step.task.title;
    case "wait_for":
      return `wait for ${step.wait_for.event}`;
    case "branch":
      return `branch (${step.branch.rules.length} rule${step.branch.rules.length === 1 ? "" : "s"})`;
    case "update":
      return "update the contact";
    case "webhook":
      return `${step.webhook.method} ${step.webhook.url}`;
    case "voicemail":
      return "voicemail drop";
  }
}

export const inboxRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/v1/inbox",
    {
      schema: {
        tags: ["inbound"],
        summary: "Inbound messages, newest first, with intent, contact and handoff task",
        querystring: InboxQuery,
        response: withProblems({ 200: InboxPage }),
      },
    },
    async (request) => {
      const db = app.nudge.engine.db;
      const workspace = await workspaceOf(request);
      const q = request.query;
      const rows = await listInboundMessages(db, workspace.id, {
        ...(q.class ? { classes: [q.class] } : {}),
        ...(q.contact_id ? { contactId: q.contact_id } : {}),
        cursor: q.cursor ?? null,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const contactIds = [
        ...new Set(page.map((r) => r.contact_id).filter((id): id is string => id !== null)),
      ];
      const contacts =
        contactIds.length === 0
          ? []
          : await db
              .selectFrom("contacts")
              .select(["id", "email", "first_name", "last_name"])
              .where("workspace_id", "=", workspace.id)
              .where("id", "in", contactIds)
              .execute();
      const keys = page.map((r) => `handoff:${r.id}`);
      const tasks =
        keys.length === 0
          ? []
          : await db
              .selectFrom("tasks")
              .select(["id", "status", "idempotency_key"])
              .where("workspace_id", "=", workspace.id)
              .where("idempotency_key", "in", keys)
              .execute();
      return {
        data: page.map((r) => {
          const contact = contacts.find((c) => c.id === r.contact_id);
          const task = tasks.find((t) => t.idempotency_key === `handoff:${r.id}`);
          return {
            id: r.id,
            received_at: iso(Number(r.received_at)),
            class: r.class,
            intent: r.intent,
            rule: r.rule,
            from: r.from_address,
            subject: r.subject,
            snippet: r.snippet,
            contact: contact
              ? {
                  id: contact.id,
                  email: contact.email,
                  name:
                    [contact.first_name, contact.last_name].filter(Boolean).join(" ") ||
                    (contact.email ?? ""),
                }
              : null,
            handoff_task: task ? { id: task.id, status: task.status } : null,
          };
        }),
        next_cursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  );

  app.patch(
    "/v1/inbox/:id",
    {
      config: { allow: ["rep"] },
      schema: {
        tags: ["inbound"],
        summary: "Correct the intent label of an inbound message",
        params: IdParams,
        body: LabelBody,
        response: withProblems({ 204: z.undefined() }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const result = await app.nudge.engine.db
        .updateTable("inbound_messages")
        .set({ intent: request.body.intent })
        .where("workspace_id", "=", workspace.id)
        .where("id", "=", request.params.id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0)
        throw new ApiProblem(404, "not-found", `no inbound message ${request.params.id}`);
      return reply.code(204).send();
    },
  );

  app.post(
    "/v1/inbox/:id/reengage",
    {
      config: { allow: ["rep"] },
      schema: {
        tags: ["inbound"],
        summary: "Re-engage the sender in N days: opens a task for the contact's owner due then",
        params: IdParams,
        body: ReengageBody,
        response: withProblems({ 201: ReengageOut }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const { days } = request.body;
      const result = await commitWrite(request, async (trx) => {
        const inbound = await trx
          .selectFrom("inbound_messages")
          .selectAll()
          .where("workspace_id", "=", workspace.id)
          .where("id", "=", request.params.id)
          .executeTakeFirst();
        if (!inbound) throw new ApiProblem(404, "not-found", `no inbound message ${request.params.id}`);
        const contact = inbound.contact_id
          ? await getContact(trx, workspace.id, inbound.contact_id)
          : undefined;
        if (!contact) throw new ApiProblem(409, "conflict", "the message is not matched to a contact");
        const name =
          [contact.firstName, contact.lastName].filter(Boolean).join(" ") || contact.email || "contact";
        const { task } = await openTask(
          trx,
          {
            workspace_id: workspace.id,
            contact_id: contact.id,
            type: "task",
            title: `Re-engage ${name} (asked ${days} day${days === 1 ? "" : "s"} ago)`,
            note: inbound.snippet,
            assignee_id: await assigneeFor(trx, workspace.id, contact),
            due_at: now + days * 86_400_000,
            idempotency_key: `reengage:${inbound.id}:${days}`,
            data: { inbound_id: inbound.id, reason: "reengage" },
          },
          now,
        );
        return { statusCode: 201, body: { task_id: task.id, due_at: iso(Number(task.due_at)) } };
      });
      return reply.code(result.statusCode).send(result.body);
    },
  );

  app.post(
    "/v1/sequences/validate",
    {
      config: { allow: ["rep"] },
      bodyLimit: 2_000_000,
      schema: {
        tags: ["sequences"],
        summary:
          "Check a sequence source without saving it: errors and warnings at their line, and its steps",
        body: ValidateBody,
        response: withProblems({ 200: ValidateOut }),
      },
    },
    async (request) => {
      await workspaceOf(request);
      const result = parseSequence(request.body.source, "sequence.yaml");
      const located = <
        T extends { line: number; column: number; path: string; message: string; hint?: string },
      >(
        e: T,
      ) => ({
        line: e.line,
        column: e.column,
        path: e.path,
        message: e.message,
        ...(e.hint !== undefined ? { hint: e.hint } : {}),
      });
      return {
        ok: result.ok,
        errors: result.ok ? [] : result.errors.map(located),
        warnings: result.warnings.map((w) => ({ ...located(w), code: w.code })),
        sequence: result.ok
          ? {
              id: result.definition.id,
              name: result.definition.name,
              steps: result.definition.steps.map((s) => ({
                id: s.id,
                kind: s.kind,
                wait: describeDelay(s.wait),
                line: s.line ?? null,
                summary: describeStep(s),
              })),
            }
          : null,
      };
    },
  );
};
