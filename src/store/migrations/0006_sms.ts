// SMS and voice: each workspace's provider settings and compliance texts, its pool of sender
// numbers, the number each contact was first texted from (so replies stay in one thread),
// blocked phone numbers (opt-outs, undeliverable numbers, the Do-Not-Call list), what the
// provider reported about each text or call we placed, and every inbound text (deduplicated by
// the provider's message id, so a webhook retry changes nothing).

import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the evolving schema type
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("sms_settings")
    .addColumn("workspace_id", "text", (c) => c.primaryKey().references("workspaces.id"))
    .addColumn("provider", "text", (c) => c.notNull().defaultTo("twilio"))
    .addColumn("account_sid", "text")
    /** Secret: never logged, never returned by the API. */
    .addColumn("auth_token", "text")
    .addColumn("api_base_url", "text")
    .addColumn("require_consent", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("quiet_start_minute", "integer", (c) => c.notNull().defaultTo(480))
    .addColumn("quiet_end_minute", "integer", (c) => c.notNull().defaultTo(1260))
    .addColumn("default_region", "text", (c) => c.notNull().defaultTo("US"))
    .addColumn("help_text", "text")
    .addColumn("stop_text", "text")
    .addColumn("start_text", "text")
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("sms_numbers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("number", "text", (c) => c.notNull())
    .addColumn("country", "text")
    .addColumn("area_code", "text")
    .addColumn("sms", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("voice", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("sms_numbers_workspace_number", ["workspace_id", "number"])
    .execute();

  await db.schema
    .createTable("sms_sticky_numbers")
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("contact_id", "text", (c) => c.notNull())
    .addColumn("contact_phone", "text", (c) => c.notNull())
    .addColumn("number", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("sms_sticky_numbers_pk", ["workspace_id", "contact_id"])
    .execute();
  await db.schema
    .createIndex("sms_sticky_numbers_phone")
    .on("sms_sticky_numbers")
    .columns(["workspace_id", "contact_phone"])
    .execute();

  await db.schema
    .createTable("phone_blocks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("phone", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("detail", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("phone_blocks_workspace_phone_kind", ["workspace_id", "phone", "kind"])
    .execute();

  await db.schema
    .createTable("sms_deliveries")
    .addColumn("message_id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("provider_sid", "text", (c) => c.notNull())
    .addColumn("from_number", "text", (c) => c.notNull())
    .addColumn("to_number", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("error_code", "text")
    .addColumn("segments", "integer")
    .addColumn("encoding", "text")
    .addColumn("status_at", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("sms_deliveries_provider_sid")
    .on("sms_deliveries")
    .columns(["workspace_id", "provider_sid"])
    .unique()
    .execute();

  await db.schema
    .createTable("sms_inbound")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("provider_sid", "text", (c) => c.notNull())
    .addColumn("from_number", "text", (c) => c.notNull())
    .addColumn("to_number", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("keyword", "text")
    .addColumn("contact_id", "text")
    .addColumn("inbound_message_id", "text")
    .addColumn("received_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("sms_inbound_workspace_sid", ["workspace_id", "provider_sid"])
    .execute();
  await sql`create index sms_inbound_contact on sms_inbound (contact_id, received_at) where contact_id is not null`.execute(
    db,
  );
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    "sms_inbound",
    "sms_deliveries",
    "phone_blocks",
    "sms_sticky_numbers",
    "sms_numbers",
    "sms_settings",
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
