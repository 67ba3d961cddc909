// Phone numbers nothing automatic may reach: SMS opt-outs (STOP), numbers the carrier reported
// as permanently unreachable, and the workspace's Do-Not-Call list. Keyed by E.164.

import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import type { Database } from "../schema.ts";

export type PhoneBlockRow = Database["phone_blocks"];
export type PhoneBlockKind = PhoneBlockRow["kind"];

/** Adds a block; one that exists keeps its first source and time. */
export async function addPhoneBlock(
  db: Executor,
  workspaceId: string,
  input: { phone: string; kind: PhoneBlockKind; source: string; detail?: string | null },
  nowUtcMs: number,
): Promise<{ block: PhoneBlockRow; created: boolean }> {
  const row: PhoneBlockRow = {
    id: newId("blk"),
    workspace_id: workspaceId,
    phone: input.phone,
    kind: input.kind,
    source: input.source,
    detail: input.detail ?? null,
    created_at: nowUtcMs,
  };
  const inserted = await db
    .insertInto("phone_blocks")
    .values(row)
    .onConflict((oc) => oc.columns(["workspace_id", "phone", "kind"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (inserted) return { block: row, created: true };
  const existing = await db
    .selectFrom("phone_blocks")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("phone", "=", input.phone)
    .where("kind", "=", input.kind)
    .executeTakeFirstOrThrow();
  return { block: existing, created: false };
}

export async function removePhoneBlock(
  db: Executor,
  workspaceId: string,
  phone: string,
  kind: PhoneBlockKind,
): Promise<boolean> {
  const result = await db
    .deleteFrom("phone_blocks")
    .where("workspace_id", "=", workspaceId)
    .where("phone", "=", phone)
    .where("kind", "=", kind)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function phoneBlocksOf(
  db: Executor,
  workspaceId: string,
  phone: string,
): Promise<PhoneBlockRow[]> {
  return db
    .selectFrom("phone_blocks")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("phone", "=", phone)
    .orderBy("id")
    .execute();
}

export async function listPhoneBlocks(
  db: Executor,
  workspaceId: string,
  opts: { kind?: PhoneBlockKind; cursor?: string | null; limit?: number } = {},
): Promise<PhoneBlockRow[]> {
  let q = db.selectFrom("phone_blocks").selectAll().where("workspace_id", "=", workspaceId);
  if (opts.kind) q = q.where("kind", "=", opts.kind);
  if (opts.cursor) q = q.where("id", ">", opts.cursor);
  return q
    .orderBy("id")
    .limit(opts.limit ?? 100)
    .execute();
}
