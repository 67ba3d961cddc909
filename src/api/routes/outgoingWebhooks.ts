// Outgoing webhooks, admin only: subscribe a URL to Nudge's events (its signing secret is shown
// once), unsubscribe it, read its delivery log, and send it a signed test delivery now.

import { randomBytes } from "node:crypto";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { dispatchWebhooks, MAX_WEBHOOK_ATTEMPTS } from "../../engine/webhookDispatcher.ts";
import type { Executor } from "../../store/executor.ts";
import { newId } from "../../store/ids.ts";
import { readJsonObject, writeJson } from "../../store/json.ts";
import {
  createWebhook,
  type WebhookDeliveryRow,
  type WebhookRow,
  webhookEventTypes,
} from "../../store/repos/webhooks.ts";
import { transact } from "../../store/transact.ts";
import { workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { notFound } from "../problem.ts";
import {
  IdParams,
  IsoTime,
  iso,
  isoOrNull,
  PageQuery,
  pageOf,
  pageSchema,
  withProblems,
} from "../schemas/common.ts";

/** What Nudge tells subscribers about; `*` subscribes to all, including types added later. */
export const WEBHOOK_EVENT_TYPES = [
  "enrollment.exited",
  "reply.received",
  "task.created",
  "sequence.completed",
  "message.bounced",
] as const;

const TEST_EVENT_TYPE = "webhook.test";

const WebhookUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.hostname })
  .max(2000)
  .describe("http(s) URL that receives POSTs");

const WebhookIn = z.strictObject({
  url: WebhookUrl,
  event_types: z
    .array(z.enum([...WEBHOOK_EVENT_TYPES, "*"]))
    .min(1)
    .max(20)
    .transform((types) => [...new Set(types)]),
});

const WebhookOut = z
  .object({
    id: z.string(),
    url: z.string(),
    event_types: z.array(z.string()),
    active: z.boolean(),
    created_at: IsoTime,
  })
  .meta({ id: "Webhook" });

const WebhookCreated = WebhookOut.extend({
  secret: z.string().describe("HMAC-SHA256 key for `Nudge-Signature`; shown only in this response"),
});

const DeliveryOut = z
  .object({
    id: z.string(),
    webhook_id: z.string(),
    event_type: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempt_count: z.number().int(),
    max_attempts: z.number().int(),
    next_attempt_at: IsoTime.nullable(),
    response_status: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: IsoTime,
    delivered_at: IsoTime.nullable(),
    payload: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "WebhookDelivery" });

function toWebhookOut(row: WebhookRow) {
  return {
    id: row.id,
    url: row.url,
    event_types: webhookEventTypes(row),
    active: row.active === 1,
    created_at: iso(Number(row.created_at)),
  };
}

function toDeliveryOut(row: WebhookDeliveryRow) {
  return {
    id: row.id,
    webhook_id: row.webhook_id,
    event_type: row.event_type,
    status: row.status,
    attempt_count: row.attempt_count,
    max_attempts: MAX_WEBHOOK_ATTEMPTS,
    next_attempt_at: isoOrNull(row.next_attempt_at),
    response_status: row.response_status,
    last_error: row.last_error,
    created_at: iso(Number(row.created_at)),
    delivered_at: isoOrNull(row.delivered_at),
    payload: readJsonObject(row.payload_json),
  };
}

/** An active webhook of the workspace; a deleted one is gone as far as the API is concerned. */
async function activeWebhook(db: Executor, workspaceId: string, id: string): Promise<WebhookRow> {
  const row = await db
    .selectFrom("webhooks")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .where("active", "=", 1)
    .executeTakeFirst();
  if (!row) throw notFound("webhook", id);
  return row;
}

export const outgoingWebhookRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/v1/webhooks",
    {
      config: { allow: [] },
      schema: {
        tags: ["webhooks"],
        summary: "List outgoing webhooks",
        querystring: PageQuery,
        response: withProblems({ 200: pageSchema(WebhookOut) }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const { limit, cursor } = request.query;
      let query = app.nudge.engine.db
        .selectFrom("webhooks")
        .selectAll()
        .where("workspace_id", "=", workspace.id)
        .where("active", "=", 1);
      if (cursor) query = query.where("id", ">", cursor);
      const rows = await query
        .orderBy("id")
        .limit(limit + 1)
        .execute();
      return pageOf(rows, limit, toWebhookOut, (r) => r.id);
    },
  );

  app.post(
    "/v1/webhooks",
    {
      config: { allow: [] },
      schema: {
        tags: ["webhooks"],
        summary: "Subscribe a URL to events",
        description:
          "The response carries the signing secret, once. Deliveries are POSTs of `{ id, type, created_at, data }` " +
          'signed with `Nudge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.',
        body: WebhookIn,
        response: withProblems({ 201: WebhookCreated }),
      },
    },
    async (request, reply) => {
      const result = await commitWrite(request, async (trx) => {
        const workspace = await workspaceOf(request, trx);
        const secret = `whsec_${randomBytes(32).toString("hex")}`;
        const row = await createWebhook(
          trx,
          workspace.id,
          { url: request.body.url, secret, eventTypes: request.body.event_types },
          app.nudge.now(workspace),
        );
        return { statusCode: 201, body: { ...toWebhookOut(row), secret } };
      });
      return reply.code(result.statusCode).send(result.body);
    },
  );

  app.delete(
    "/v1/webhooks/:id",
    {
      config: { allow: [] },
      schema: {
        tags: ["webhooks"],
        summary: "Delete an outgoing webhook",
        description: "Its pending deliveries fail; the delivery log is kept in the database.",
        params: IdParams,
        response: withProblems({ 204: z.null() }),
      },
    },
    async (request, reply) => {
      await transact(app.nudge.engine, async (trx) => {
        const workspace = await workspaceOf(request, trx);
        const hook = await activeWebhook(trx, workspace.id, request.params.id);
        await trx.updateTable("webhooks").set({ active: 0 }).where("id", "=", hook.id).execute();
        await trx
          .updateTable("webhook_deliveries")
          .set({ status: "failed", next_attempt_at: null, last_error: "the webhook was deleted" })
          .where("webhook_id", "=", hook.id)
          .where("status", "=", "pending")
          .execute();
      });
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/v1/webhooks/:id/deliveries",
    {
      config: { allow: [] },
      schema: {
        tags: ["webhooks"],
        summary: "The delivery log of a webhook, newest first",
        params: IdParams,
        querystring: PageQuery,
        response: withProblems({ 200: pageSchema(DeliveryOut) }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const db = app.nudge.engine.db;
      const hook = await activeWebhook(db, workspace.id, request.params.id);
      const { limit, cursor } = request.query;
      let query = db.selectFrom("webhook_deliveries").selectAll().where("webhook_id", "=", hook.id);
      if (cursor) query = query.where("id", "<", cursor);
      const rows = await query
        .orderBy("id", "desc")
        .limit(limit + 1)
        .execute();
      return pageOf(rows, limit, toDeliveryOut, (r) => r.id);
    },
  );

  app.post(
    "/v1/webhooks/:id/test",
    {
      config: { allow: [] },
      schema: {
        tags: ["webhooks"],
        summary: "Send a signed `webhook.test` delivery now and report the answer",
        description: "A failed test is retried like any delivery; its log row shows each attempt.",
        params: IdParams,
        response: withProblems({ 200: DeliveryOut }),
      },
    },
    async (request) => {
      const { engine, clock } = app.nudge;
      const delivery = await transact(engine, async (trx) => {
        const workspace = await workspaceOf(request, trx);
        const hook = await activeWebhook(trx, workspace.id, request.params.id);
        const createdAt = app.nudge.now(workspace);
        const row: WebhookDeliveryRow = {
          id: newId("whd"),
          webhook_id: hook.id,
          event_type: TEST_EVENT_TYPE,
          payload_json: writeJson({ webhook_id: hook.id, message: "A test delivery from Nudge." }),
          status: "pending",
          attempt_count: 0,
          // Due by the system clock, which the dispatcher runs on (signatures carry real time).
          next_attempt_at: clock.nowUtcMs(),
          response_status: null,
          last_error: null,
          created_at: createdAt,
          delivered_at: null,
        };
        await trx.insertInto("webhook_deliveries").values(row).execute();
        return row;
      });
      await dispatchWebhooks(engine, { nowUtcMs: clock.nowUtcMs(), deliveryIds: [delivery.id] });
      const after = await engine.db
        .selectFrom("webhook_deliveries")
        .selectAll()
        .where("id", "=", delivery.id)
        .executeTakeFirstOrThrow();
      return toDeliveryOut(after);
    },
  );
};
