// Runs a unit of work in a transaction and retries it when it lost a race: an optimistic
// revision check failed, or PostgreSQL reported a serialization failure or deadlock.

import type { Transaction } from "kysely";
import type { StoreEngine } from "./dialect/storeEngine.ts";
import type { Database } from "./schema.ts";

export class ConcurrentUpdateError extends Error {
  override readonly name = "ConcurrentUpdateError";
}

const RETRYABLE_PG_CODES = new Set(["40001", "40P01"]);

function isRetryable(error: unknown): boolean {
  if (error instanceof ConcurrentUpdateError) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && RETRYABLE_PG_CODES.has(code);
}

export async function transact<T>(
  engine: Pick<StoreEngine, "db">,
  work: (trx: Transaction<Database>) => Promise<T>,
  opts: { attempts?: number } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await engine.db.transaction().execute(work);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
    }
  }
}
