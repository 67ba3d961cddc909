// Tables the HTTP API needs: stored responses of POST requests made with an Idempotency-Key,
// so a retried request replays the first answer instead of writing twice.

import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the evolving schema type
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("idempotency_keys")
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("key", "text", (c) => c.notNull())
    /** SHA-256 of method, path and canonical body: a reused key with another request is refused. */
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("status_code", "integer", (c) => c.notNull())
    .addColumn("response_json", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("idempotency_keys_pk", ["workspace_id", "key"])
    .execute();
  // Expired keys are purged per workspace by age.
  await sql`create index idempotency_keys_age on idempotency_keys (workspace_id, created_at)`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("idempotency_keys").ifExists().execute();
}
