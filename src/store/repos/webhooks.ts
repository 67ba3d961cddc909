// Outgoing webhooks and their delivery log: what was sent where, how often, with what answer.

import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import { readStringArray, writeJson } from "../json.ts";
import type { Database } from "../schema.ts";

export type WebhookRow = Database["webhooks"];
export type WebhookDeliveryRow = Database["webhook_deliveries"];

export async function createWebhook(
  db: Executor,
  workspaceId: string,
  input: { url: string; secret: string; eventTypes: string[] },
  nowUtcMs: number,
): Promise<WebhookRow> {
  const row: WebhookRow = {
    id: newId("whk"),
    workspace_id: workspaceId,
    url: input.url,
    secret: input.secret,
    event_types_json: writeJson(input.eventTypes),
    active: 1,
    created_at: nowUtcMs,
  };
  await db.insertInto("webhooks").values(row).execute();
  return row;
}

export async function listWebhooks(db: Executor, workspaceId: string): Promise<WebhookRow[]> {
  return db
    .selectFrom("webhooks")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .orderBy("id")
    .execute();
}

export function webhookEventTypes(row: WebhookRow): string[] {
  return readStringArray(row.event_types_json);
}

/** Queues one delivery per active webhook subscribed to the event type (`*` = all). */
export async function enqueueWebhookDeliveries(
  db: Executor,
  workspaceId: string,
  eventType: string,
  payload: Record<string, unknown>,
  nowUtcMs: number,
): Promise<number> {
  const hooks = (await listWebhooks(db, workspaceId)).filter((h) => {
    const types = webhookEventTypes(h);
    return h.active === 1 && (types.includes(eventType) || types.includes("*"));
  });
  for (const hook of hooks) {
    await db
      .insertInto("webhook_deliveries")
      .values({
        id: newId("whd"),
        webhook_id: hook.id,
        event_type: eventType,
        payload_json: writeJson(payload),
        status: "pending",
        attempt_count: 0,
        // Due at once on any clock: a sandbox on a test clock ahead of real time still notifies now.
        next_attempt_at: 0,
        response_status: null,
        last_error: null,
        created_at: nowUtcMs,
        delivered_at: null,
      })
      .execute();
  }
  return hooks.length;
}

export async function listWebhookDeliveries(
  db: Executor,
  webhookId: string,
  limit = 100,
): Promise<WebhookDeliveryRow[]> {
  return db
    .selectFrom("webhook_deliveries")
    .selectAll()
    .where("webhook_id", "=", webhookId)
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}
