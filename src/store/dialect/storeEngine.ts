// The one place that knows SQLite and PostgreSQL differ: how due rows are locked for a claim,
// how a write transaction begins, and how an idle worker is woken. Nothing else asks which
// engine it is on.

import type { Kysely, SelectQueryBuilder } from "kysely";
import type { Database } from "../schema.ts";

export interface StoreEngine {
  readonly kind: "sqlite" | "postgres";
  readonly db: Kysely<Database>;
  /**
   * Adds the row lock a claim needs: `FOR UPDATE SKIP LOCKED` on PostgreSQL, so concurrent
   * workers take disjoint rows; nothing on SQLite, where write transactions are serialised
   * (`BEGIN IMMEDIATE`) and one worker process runs.
   */
  lockForClaim<DB, TB extends keyof DB, O>(
    query: SelectQueryBuilder<DB, TB, O>,
  ): SelectQueryBuilder<DB, TB, O>;
  /** Wake listeners of `channel` (after commit): pg_notify, or an in-process signal on SQLite. */
  notify(channel: WakeChannel): Promise<void>;
  /** Calls `onWake` whenever `channel` is notified; returns a function that stops listening. */
  listen(channel: WakeChannel, onWake: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Work queues a worker can sleep on. */
export type WakeChannel = "nudge_due" | "nudge_outbox" | "nudge_mailboxes";
