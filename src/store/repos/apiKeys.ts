// API keys: shown once at creation, stored only as a SHA-256 hash. A key is long random data,
// so a fast hash is right here (a password hash would only slow every request).

import { createHash, randomBytes } from "node:crypto";
import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import { readStringArray, writeJson } from "../json.ts";
import type { ApiKeyRow } from "../schema.ts";

export type ApiScope = "admin" | "rep" | "ingest";

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export async function createApiKey(
  db: Executor,
  workspaceId: string,
  input: { name: string; scopes: ApiScope[] },
  nowUtcMs: number,
): Promise<{ key: string; row: ApiKeyRow }> {
  const key = `nk_${randomBytes(24).toString("base64url")}`;
  const row: ApiKeyRow = {
    id: newId("key"),
    workspace_id: workspaceId,
    name: input.name,
    prefix: key.slice(0, 10),
    key_hash: hashApiKey(key),
    scopes_json: writeJson(input.scopes),
    created_at: nowUtcMs,
    last_used_at: null,
    revoked_at: null,
  };
  await db.insertInto("api_keys").values(row).execute();
  return { key, row };
}

/** The live key row for a presented key, or undefined for unknown or revoked keys. */
export async function findApiKey(db: Executor, key: string): Promise<ApiKeyRow | undefined> {
  return db
    .selectFrom("api_keys")
    .selectAll()
    .where("key_hash", "=", hashApiKey(key))
    .where("revoked_at", "is", null)
    .executeTakeFirst();
}

export function scopesOf(row: ApiKeyRow): ApiScope[] {
  return readStringArray(row.scopes_json) as ApiScope[];
}

export async function touchApiKey(db: Executor, id: string, nowUtcMs: number): Promise<void> {
  await db.updateTable("api_keys").set({ last_used_at: nowUtcMs }).where("id", "=", id).execute();
}

export async function listApiKeys(db: Executor, workspaceId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom("api_keys")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .orderBy("id")
    .execute();
}

export async function revokeApiKey(
  db: Executor,
  workspaceId: string,
  id: string,
  nowUtcMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable("api_keys")
    .set({ revoked_at: nowUtcMs })
    .where("workspace_id", "=", workspaceId)
    .where((eb) => eb.or([eb("id", "=", id), eb("prefix", "=", id)]))
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
