// Stored answers to POST requests sent with an Idempotency-Key, per workspace: a retry with
// the same key and body gets the first answer again, a reuse with another body is refused.

import type { Executor } from "../executor.ts";
import type { IdempotencyKeysTable } from "../schema.ts";

export type IdempotencyRecord = IdempotencyKeysTable;

/** How long a key is remembered; a retry after this is a new request. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/** The live record for a key, or undefined when unknown or expired. */
export async function findIdempotencyRecord(
  db: Executor,
  workspaceId: string,
  key: string,
  nowUtcMs: number,
): Promise<IdempotencyRecord | undefined> {
  const row = await db
    .selectFrom("idempotency_keys")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("key", "=", key)
    .executeTakeFirst();
  if (!row || Number(row.created_at) < nowUtcMs - IDEMPOTENCY_TTL_MS) return undefined;
  return { ...row, status_code: Number(row.status_code), created_at: Number(row.created_at) };
}

/**
 * Stores the answer to a keyed request. Expired records of the workspace go first, so an old
 * key can be used again. A live record with the same key makes the insert fail (unique key):
 * the caller's transaction rolls back and the first answer wins.
 */
export async function storeIdempotencyRecord(db: Executor, record: IdempotencyRecord): Promise<void> {
  const table = db;
  await table
    .deleteFrom("idempotency_keys")
    .where("workspace_id", "=", record.workspace_id)
    .where("created_at", "<", record.created_at - IDEMPOTENCY_TTL_MS)
    .execute();
  await table.insertInto("idempotency_keys").values(record).execute();
}
