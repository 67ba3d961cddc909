// Inbound texts, each stored once per provider message id: a webhook the provider retries finds
// its first copy and changes nothing.

import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import type { Database } from "../schema.ts";

export type SmsInboundRow = Database["sms_inbound"];

/** Inserts the text, or returns null when this provider id was stored before. */
export async function insertSmsInbound(
  db: Executor,
  input: Omit<SmsInboundRow, "id">,
): Promise<SmsInboundRow | null> {
  const row: SmsInboundRow = { id: newId("smi"), ...input };
  const inserted = await db
    .insertInto("sms_inbound")
    .values(row)
    .onConflict((oc) => oc.columns(["workspace_id", "provider_sid"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  return inserted ? row : null;
}

export async function updateSmsInbound(
  db: Executor,
  id: string,
  patch: Partial<Pick<SmsInboundRow, "contact_id" | "keyword" | "inbound_message_id">>,
): Promise<void> {
  await db.updateTable("sms_inbound").set(patch).where("id", "=", id).execute();
}

export async function smsInboundOfContact(
  db: Executor,
  contactId: string,
  sinceUtcMs: number,
): Promise<SmsInboundRow[]> {
  return db
    .selectFrom("sms_inbound")
    .selectAll()
    .where("contact_id", "=", contactId)
    .where("received_at", ">=", sinceUtcMs)
    .orderBy("received_at")
    .execute();
}
