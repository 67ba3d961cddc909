// The workspace's sender numbers and, per contact, the number it was first reached from.

import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import type { Database } from "../schema.ts";

export type SmsNumberRow = Database["sms_numbers"];

export async function addSmsNumber(
  db: Executor,
  workspaceId: string,
  input: { number: string; country: string | null; areaCode: string | null; sms?: boolean; voice?: boolean },
  nowUtcMs: number,
): Promise<{ number: SmsNumberRow; created: boolean }> {
  const row: SmsNumberRow = {
    id: newId("num"),
    workspace_id: workspaceId,
    number: input.number,
    country: input.country,
    area_code: input.areaCode,
    sms: input.sms === false ? 0 : 1,
    voice: input.voice === false ? 0 : 1,
    active: 1,
    created_at: nowUtcMs,
  };
  const inserted = await db
    .insertInto("sms_numbers")
    .values(row)
    .onConflict((oc) => oc.columns(["workspace_id", "number"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (inserted) return { number: row, created: true };
  const existing = await db
    .selectFrom("sms_numbers")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("number", "=", input.number)
    .executeTakeFirstOrThrow();
  if (existing.active === 0) {
    await db.updateTable("sms_numbers").set({ active: 1 }).where("id", "=", existing.id).execute();
    return { number: { ...existing, active: 1 }, created: false };
  }
  return { number: existing, created: false };
}

export async function listSmsNumbers(
  db: Executor,
  workspaceId: string,
  opts: { activeOnly?: boolean; channel?: "sms" | "voice" } = {},
): Promise<SmsNumberRow[]> {
  let q = db.selectFrom("sms_numbers").selectAll().where("workspace_id", "=", workspaceId);
  if (opts.activeOnly) q = q.where("active", "=", 1);
  if (opts.channel === "sms") q = q.where("sms", "=", 1);
  if (opts.channel === "voice") q = q.where("voice", "=", 1);
  return q.orderBy("id").execute();
}

export async function deactivateSmsNumber(db: Executor, workspaceId: string, id: string): Promise<boolean> {
  const result = await db
    .updateTable("sms_numbers")
    .set({ active: 0 })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function isWorkspaceNumber(db: Executor, workspaceId: string, number: string): Promise<boolean> {
  const row = await db
    .selectFrom("sms_numbers")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("number", "=", number)
    .executeTakeFirst();
  return !!row;
}

export async function stickyNumberOf(
  db: Executor,
  workspaceId: string,
  contactId: string,
): Promise<Database["sms_sticky_numbers"] | undefined> {
  return db
    .selectFrom("sms_sticky_numbers")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("contact_id", "=", contactId)
    .executeTakeFirst();
}

/** Keeps the first number chosen for a contact; a later choice never replaces it. */
export async function keepStickyNumber(
  db: Executor,
  input: { workspaceId: string; contactId: string; contactPhone: string; number: string },
  nowUtcMs: number,
): Promise<void> {
  await db
    .insertInto("sms_sticky_numbers")
    .values({
      workspace_id: input.workspaceId,
      contact_id: input.contactId,
      contact_phone: input.contactPhone,
      number: input.number,
      created_at: nowUtcMs,
    })
    .onConflict((oc) => oc.columns(["workspace_id", "contact_id"]).doNothing())
    .execute();
}

/** Contacts reached at a phone number, those reached from `ourNumber` (the same thread) first. */
export async function contactsByStickyPhone(
  db: Executor,
  workspaceId: string,
  phone: string,
  ourNumber: string | null,
): Promise<string[]> {
  const rows = await db
    .selectFrom("sms_sticky_numbers")
    .select(["contact_id", "number", "created_at"])
    .where("workspace_id", "=", workspaceId)
    .where("contact_phone", "=", phone)
    .orderBy("created_at", "desc")
    .execute();
  return [...rows]
    .sort((a, b) => Number(b.number === ourNumber) - Number(a.number === ourNumber))
    .map((r) => r.contact_id);
}
