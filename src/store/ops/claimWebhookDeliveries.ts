// Claims due outgoing-webhook deliveries in one statement: the due rows are locked (PostgreSQL:
// FOR UPDATE SKIP LOCKED, so concurrent dispatchers take disjoint rows; SQLite serialises
// writers) and leased by moving next_attempt_at past the HTTP call, counting the attempt.

import type { Transaction } from "kysely";
import type { StoreEngine } from "../dialect/storeEngine.ts";
import type { Database } from "../schema.ts";

export type WebhookDeliveryRow = Database["webhook_deliveries"];

/**
 * A claimed row stays `pending` with next_attempt_at = now + lease: if the dispatcher dies
 * mid-call, the delivery is tried again once the lease ends (at-least-once; receivers dedupe on
 * the delivery id).
 */
export async function claimWebhookDeliveries(
  engine: StoreEngine,
  trx: Transaction<Database>,
  opts: { nowUtcMs: number; limit: number; leaseMs: number; deliveryIds?: string[] },
): Promise<WebhookDeliveryRow[]> {
  let due = trx
    .selectFrom("webhook_deliveries")
    .select("id")
    .where("status", "=", "pending")
    .where("next_attempt_at", "<=", opts.nowUtcMs);
  if (opts.deliveryIds) due = due.where("id", "in", opts.deliveryIds.length > 0 ? opts.deliveryIds : [""]);
  due = due.orderBy("next_attempt_at").orderBy("id").limit(opts.limit);
  const rows = await trx
    .updateTable("webhook_deliveries")
    .set((eb) => ({
      next_attempt_at: opts.nowUtcMs + opts.leaseMs,
      attempt_count: eb("attempt_count", "+", 1),
    }))
    .where("id", "in", engine.lockForClaim(due))
    .returningAll()
    .execute();
  // Ids are ULIDs: this is the order the events happened in.
  return rows.sort((a, b) => a.id.localeCompare(b.id));
}

/** The earliest pending delivery, so an idle worker knows how long it may sleep. */
export async function nextWebhookDeliveryAt(db: StoreEngine["db"]): Promise<number | null> {
  const row = await db
    .selectFrom("webhook_deliveries")
    .select((eb) => eb.fn.min("next_attempt_at").as("at"))
    .where("status", "=", "pending")
    .executeTakeFirst();
  return row?.at === null || row?.at === undefined ? null : Number(row.at);
}
