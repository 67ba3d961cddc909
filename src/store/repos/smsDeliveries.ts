// What the provider accepted and later reported about each text or voicemail drop we placed,
// found again by the provider's id when a status callback arrives.

import type { Executor } from "../executor.ts";
import type { Database } from "../schema.ts";

export type SmsDeliveryRow = Database["sms_deliveries"];

export async function insertSmsDelivery(db: Executor, row: SmsDeliveryRow): Promise<void> {
  await db
    .insertInto("sms_deliveries")
    .values(row)
    .onConflict((oc) => oc.column("message_id").doNothing())
    .execute();
}

export async function smsDeliveryBySid(
  db: Executor,
  workspaceId: string,
  providerSid: string,
): Promise<SmsDeliveryRow | undefined> {
  return db
    .selectFrom("sms_deliveries")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("provider_sid", "=", providerSid)
    .executeTakeFirst();
}

export async function setSmsDeliveryStatus(
  db: Executor,
  messageId: string,
  patch: { status: string; error_code: string | null; segments?: number | null },
  nowUtcMs: number,
): Promise<void> {
  await db
    .updateTable("sms_deliveries")
    .set({ ...patch, status_at: nowUtcMs })
    .where("message_id", "=", messageId)
    .execute();
}
