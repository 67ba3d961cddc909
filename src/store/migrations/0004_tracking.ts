// Click tracking: the URL behind each tracked link of a message, recorded when the message is
// composed. The click endpoint redirects only to a URL found here for exactly the message and
// link number its signed token names.

import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the evolving schema type
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("tracked_links")
    .addColumn("message_id", "text", (c) => c.notNull().references("messages.id"))
    .addColumn("link_index", "integer", (c) => c.notNull())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("tracked_links_pk", ["message_id", "link_index"])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("tracked_links").ifExists().execute();
}
