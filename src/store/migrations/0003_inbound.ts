// Inbound mail: every message received (over IMAP or the raw-MIME endpoint) with its
// classification and what it matched, and each IMAP mailbox's read position.

import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the evolving schema type
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("inbound_messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("mailbox_id", "text")
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("message_id_header", "text")
    .addColumn("from_address", "text")
    .addColumn("subject", "text")
    .addColumn("class", "text", (c) => c.notNull())
    .addColumn("intent", "text")
    .addColumn("rule", "text", (c) => c.notNull())
    .addColumn("return_date", "text")
    .addColumn("contact_id", "text")
    .addColumn("matched_message_id", "text")
    .addColumn("snippet", "text")
    .addColumn("details_json", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("raw", "text", (c) => c.notNull())
    .addColumn("received_at", "bigint", (c) => c.notNull())
    .execute();
  await sql`create unique index inbound_messages_message_id on inbound_messages (workspace_id, message_id_header) where message_id_header is not null`.execute(
    db,
  );
  await db.schema
    .createIndex("inbound_messages_contact")
    .on("inbound_messages")
    .columns(["contact_id", "received_at"])
    .execute();
  await db.schema
    .createIndex("inbound_messages_workspace_time")
    .on("inbound_messages")
    .columns(["workspace_id", "received_at"])
    .execute();

  await db.schema
    .createTable("imap_state")
    .addColumn("mailbox_id", "text", (c) => c.primaryKey())
    .addColumn("folder", "text", (c) => c.notNull())
    .addColumn("uid_validity", "bigint", (c) => c.notNull())
    .addColumn("last_uid", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("imap_state").ifExists().execute();
  await db.schema.dropTable("inbound_messages").ifExists().execute();
}
