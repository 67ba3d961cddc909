// Repositories take an executor: the database itself or an open transaction, so callers
// compose several writes into one commit.

import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.ts";

export type Executor = Kysely<Database> | Transaction<Database>;

/** Cursor pagination: rows after `cursor` (an id), ordered by id, `limit` + 1 fetched to know if more exist. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  return { items, nextCursor: more ? (items.at(-1)?.id ?? null) : null };
}
