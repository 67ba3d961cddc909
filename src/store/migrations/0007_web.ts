// Tables the web app needs: sign-in sessions (a cookie maps to a user) and one-time login links
// (printed by `nudge start`). Passwords live in users.password_hash (0001). Only SHA-256 hashes
// of the random tokens are stored, so a copy of the database does not sign anyone in.

import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the evolving schema type
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("web_sessions")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("last_seen_at", "bigint", (c) => c.notNull())
    .execute();
  await sql`create index web_sessions_user on web_sessions (user_id)`.execute(db);
  await db.schema
    .createTable("web_login_links")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("web_login_links").ifExists().execute();
  await db.schema.dropTable("web_sessions").ifExists().execute();
}
