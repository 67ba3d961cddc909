// Accounts: companies, keyed by email domain within a workspace.

import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import { writeJson } from "../json.ts";
import type { Account } from "../schema.ts";

export function normalizeDomain(domain: string): string {
  return domain
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/^www\./, "")
    .replace(/\/.*$/, "");
}

/** Finds the account for a domain or creates it; a given name fills a missing one. */
export async function upsertAccountByDomain(
  db: Executor,
  workspaceId: string,
  input: { domain: string; name?: string | null; ownerId?: string | null; fields?: Record<string, unknown> },
  nowUtcMs: number,
): Promise<Account> {
  const domain = normalizeDomain(input.domain);
  const existing = await getAccountByDomain(db, workspaceId, domain);
  if (existing) {
    const patch: Partial<Account> = { updated_at: nowUtcMs };
    if (input.name && input.name !== existing.name) patch.name = input.name;
    if (input.ownerId !== undefined) patch.owner_id = input.ownerId;
    if (input.fields) patch.fields_json = writeJson({ ...JSON.parse(existing.fields_json), ...input.fields });
    await db.updateTable("accounts").set(patch).where("id", "=", existing.id).execute();
    return { ...existing, ...patch };
  }
  const row: Account = {
    id: newId("acc"),
    workspace_id: workspaceId,
    domain,
    name: input.name ?? null,
    owner_id: input.ownerId ?? null,
    fields_json: writeJson(input.fields ?? {}),
    created_at: nowUtcMs,
    updated_at: nowUtcMs,
  };
  await db
    .insertInto("accounts")
    .values(row)
    .onConflict((oc) => oc.columns(["workspace_id", "domain"]).doNothing())
    .execute();
  return (await getAccountByDomain(db, workspaceId, domain)) ?? row;
}

export async function getAccount(
  db: Executor,
  workspaceId: string,
  id: string,
): Promise<Account | undefined> {
  return db
    .selectFrom("accounts")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function getAccountByDomain(
  db: Executor,
  workspaceId: string,
  domain: string,
): Promise<Account | undefined> {
  return db
    .selectFrom("accounts")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("domain", "=", normalizeDomain(domain))
    .executeTakeFirst();
}

export async function listAccounts(
  db: Executor,
  workspaceId: string,
  opts: { cursor?: string | null; limit?: number } = {},
): Promise<Account[]> {
  let q = db.selectFrom("accounts").selectAll().where("workspace_id", "=", workspaceId);
  if (opts.cursor) q = q.where("id", ">", opts.cursor);
  return q
    .orderBy("id")
    .limit(opts.limit ?? 100)
    .execute();
}
