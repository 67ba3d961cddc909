// Suppressions: addresses, phone numbers and domains nobody may message again (unsubscribes,
// hard bounces, complaints, a do-not-contact list). Checked right before every send.

import { emailDomain } from "../../domain/contact/companyDomain.ts";
import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import type { Suppression } from "../schema.ts";

export type SuppressionKind = Suppression["kind"];

export function normalizeSuppressionValue(kind: SuppressionKind, value: string): string {
  const v = value.trim().toLowerCase();
  return kind === "phone" ? v.replace(/[^\d+]/g, "") : v;
}

/** Adds a suppression; adding one that exists keeps the first (its reason and time stand). */
export async function addSuppression(
  db: Executor,
  workspaceId: string,
  input: { kind: SuppressionKind; value: string; reason: string; source: string },
  nowUtcMs: number,
): Promise<{ suppression: Suppression; created: boolean }> {
  const value = normalizeSuppressionValue(input.kind, input.value);
  const row: Suppression = {
    id: newId("sup"),
    workspace_id: workspaceId,
    kind: input.kind,
    value,
    reason: input.reason,
    source: input.source,
    created_at: nowUtcMs,
  };
  const inserted = await db
    .insertInto("suppressions")
    .values(row)
    .onConflict((oc) => oc.columns(["workspace_id", "kind", "value"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (inserted) return { suppression: row, created: true };
  const existing = await db
    .selectFrom("suppressions")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("kind", "=", input.kind)
    .where("value", "=", value)
    .executeTakeFirstOrThrow();
  return { suppression: existing, created: false };
}

/** The suppression that blocks an email address (by address or its domain), if any. */
export async function emailSuppression(
  db: Executor,
  workspaceId: string,
  email: string,
): Promise<Suppression | undefined> {
  const address = normalizeSuppressionValue("email", email);
  const domain = emailDomain(address);
  return db
    .selectFrom("suppressions")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where((eb) =>
      eb.or([
        eb.and([eb("kind", "=", "email"), eb("value", "=", address)]),
        ...(domain ? [eb.and([eb("kind", "=", "domain"), eb("value", "=", domain)])] : []),
      ]),
    )
    .executeTakeFirst();
}

export async function phoneSuppression(
  db: Executor,
  workspaceId: string,
  phone: string,
): Promise<Suppression | undefined> {
  return db
    .selectFrom("suppressions")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("kind", "=", "phone")
    .where("value", "=", normalizeSuppressionValue("phone", phone))
    .executeTakeFirst();
}

export async function listSuppressions(
  db: Executor,
  workspaceId: string,
  opts: { kind?: SuppressionKind; cursor?: string | null; limit?: number } = {},
): Promise<Suppression[]> {
  let q = db.selectFrom("suppressions").selectAll().where("workspace_id", "=", workspaceId);
  if (opts.kind) q = q.where("kind", "=", opts.kind);
  if (opts.cursor) q = q.where("id", ">", opts.cursor);
  return q
    .orderBy("id")
    .limit(opts.limit ?? 100)
    .execute();
}

export async function removeSuppression(db: Executor, workspaceId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom("suppressions")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
