// Deals and their stage history: the stage a deal moved from and to, when, and who said so.

import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import type { Deal } from "../schema.ts";

export interface DealInput {
  name: string;
  stage: string;
  amount?: number | null;
  currency?: string | null;
  accountId?: string | null;
  contactId?: string | null;
  ownerId?: string | null;
  externalId?: string | null;
}

export async function createDeal(
  db: Executor,
  workspaceId: string,
  input: DealInput,
  source: string,
  nowUtcMs: number,
): Promise<Deal> {
  const row: Deal = {
    id: newId("deal"),
    workspace_id: workspaceId,
    account_id: input.accountId ?? null,
    contact_id: input.contactId ?? null,
    name: input.name,
    stage: input.stage,
    amount: input.amount ?? null,
    currency: input.currency ?? null,
    owner_id: input.ownerId ?? null,
    external_id: input.externalId ?? null,
    created_at: nowUtcMs,
    updated_at: nowUtcMs,
  };
  await db.insertInto("deals").values(row).execute();
  await db
    .insertInto("deal_stage_changes")
    .values({
      id: newId("dsc"),
      deal_id: row.id,
      from_stage: null,
      to_stage: row.stage,
      source,
      changed_at: nowUtcMs,
    })
    .execute();
  return row;
}

/** Moves a deal to a stage and records the change; a move to the current stage records nothing. */
export async function changeDealStage(
  db: Executor,
  workspaceId: string,
  dealId: string,
  toStage: string,
  source: string,
  nowUtcMs: number,
): Promise<{ deal: Deal; fromStage: string; changed: boolean } | undefined> {
  const deal = await getDeal(db, workspaceId, dealId);
  if (!deal) return undefined;
  if (deal.stage === toStage) return { deal, fromStage: deal.stage, changed: false };
  await db
    .updateTable("deals")
    .set({ stage: toStage, updated_at: nowUtcMs })
    .where("id", "=", dealId)
    .execute();
  await db
    .insertInto("deal_stage_changes")
    .values({
      id: newId("dsc"),
      deal_id: dealId,
      from_stage: deal.stage,
      to_stage: toStage,
      source,
      changed_at: nowUtcMs,
    })
    .execute();
  return { deal: { ...deal, stage: toStage, updated_at: nowUtcMs }, fromStage: deal.stage, changed: true };
}

export async function getDeal(db: Executor, workspaceId: string, id: string): Promise<Deal | undefined> {
  return db
    .selectFrom("deals")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function getDealByExternalId(
  db: Executor,
  workspaceId: string,
  externalId: string,
): Promise<Deal | undefined> {
  return db
    .selectFrom("deals")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("external_id", "=", externalId)
    .executeTakeFirst();
}

/** The contact's most recently updated deal, directly or through their account. */
export async function currentDealForContact(
  db: Executor,
  workspaceId: string,
  contactId: string,
  accountId: string | null,
): Promise<Deal | undefined> {
  let q = db.selectFrom("deals").selectAll().where("workspace_id", "=", workspaceId);
  q = accountId
    ? q.where((eb) => eb.or([eb("contact_id", "=", contactId), eb("account_id", "=", accountId)]))
    : q.where("contact_id", "=", contactId);
  return q.orderBy("updated_at", "desc").orderBy("id", "desc").executeTakeFirst();
}

export async function dealStageHistory(db: Executor, dealId: string) {
  return db
    .selectFrom("deal_stage_changes")
    .selectAll()
    .where("deal_id", "=", dealId)
    .orderBy("changed_at")
    .orderBy("id")
    .execute();
}

export async function listDeals(
  db: Executor,
  workspaceId: string,
  opts: { cursor?: string | null; limit?: number; stage?: string } = {},
): Promise<Deal[]> {
  let q = db.selectFrom("deals").selectAll().where("workspace_id", "=", workspaceId);
  if (opts.cursor) q = q.where("id", ">", opts.cursor);
  if (opts.stage) q = q.where("stage", "=", opts.stage);
  return q
    .orderBy("id")
    .limit(opts.limit ?? 100)
    .execute();
}
