// The first schema. Written with types both engines accept (text, integer, bigint, double
// precision) so one migration runs identically on SQLite and PostgreSQL.

import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the evolving schema type
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("workspaces")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("mode", "text", (c) => c.notNull().defaultTo("sandbox"))
    .addColumn("time_zone", "text", (c) => c.notNull().defaultTo("UTC"))
    .addColumn("clock_at", "bigint")
    .addColumn("settings_json", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull().defaultTo("rep"))
    .addColumn("password_hash", "text")
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("users_workspace_email", ["workspace_id", "email"])
    .execute();

  await db.schema
    .createTable("accounts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("domain", "text", (c) => c.notNull())
    .addColumn("name", "text")
    .addColumn("owner_id", "text", (c) => c.references("users.id"))
    .addColumn("fields_json", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("accounts_workspace_domain", ["workspace_id", "domain"])
    .execute();

  await db.schema
    .createTable("contacts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("email", "text")
    .addColumn("first_name", "text")
    .addColumn("last_name", "text")
    .addColumn("title", "text")
    .addColumn("phone", "text")
    .addColumn("time_zone", "text")
    .addColumn("account_id", "text", (c) => c.references("accounts.id"))
    .addColumn("owner_id", "text", (c) => c.references("users.id"))
    .addColumn("lifecycle_stage", "text")
    .addColumn("tags_json", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("fields_json", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("sms_consent", "text", (c) => c.notNull().defaultTo("unknown"))
    .addColumn("sms_consent_source", "text")
    .addColumn("sms_consent_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await sql`create unique index contacts_workspace_email on contacts (workspace_id, email) where email is not null`.execute(
    db,
  );
  await db.schema.createIndex("contacts_account").on("contacts").column("account_id").execute();
  await db.schema
    .createIndex("contacts_workspace_phone")
    .on("contacts")
    .columns(["workspace_id", "phone"])
    .execute();

  await db.schema
    .createTable("deals")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("account_id", "text", (c) => c.references("accounts.id"))
    .addColumn("contact_id", "text", (c) => c.references("contacts.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("stage", "text", (c) => c.notNull())
    .addColumn("amount", "double precision")
    .addColumn("currency", "text")
    .addColumn("owner_id", "text", (c) => c.references("users.id"))
    .addColumn("external_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("deals_contact").on("deals").column("contact_id").execute();
  await db.schema.createIndex("deals_account").on("deals").column("account_id").execute();
  await sql`create unique index deals_workspace_external on deals (workspace_id, external_id) where external_id is not null`.execute(
    db,
  );

  await db.schema
    .createTable("deal_stage_changes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("deal_id", "text", (c) => c.notNull().references("deals.id"))
    .addColumn("from_stage", "text")
    .addColumn("to_stage", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("changed_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("deal_stage_changes_deal")
    .on("deal_stage_changes")
    .columns(["deal_id", "changed_at"])
    .execute();

  await db.schema
    .createTable("sequences")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("draft"))
    .addColumn("current_version", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("sequences_workspace_key", ["workspace_id", "key"])
    .execute();

  await db.schema
    .createTable("sequence_versions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("sequence_id", "text", (c) => c.notNull().references("sequences.id"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("definition_json", "text", (c) => c.notNull())
    .addColumn("source_text", "text", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("sequence_versions_sequence_version", ["sequence_id", "version"])
    .execute();

  await db.schema
    .createTable("enrollments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("contact_id", "text", (c) => c.notNull().references("contacts.id"))
    .addColumn("sequence_id", "text", (c) => c.notNull().references("sequences.id"))
    .addColumn("sequence_version_id", "text", (c) => c.notNull().references("sequence_versions.id"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("current_step", "text")
    .addColumn("state_json", "text", (c) => c.notNull())
    // Bumped by every state write: a write based on a stale read fails instead of losing an exit.
    .addColumn("revision", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_run_at", "bigint")
    .addColumn("paused_until", "bigint")
    .addColumn("exit_reason", "text")
    .addColumn("exit_detail", "text")
    .addColumn("hold_reason", "text")
    .addColumn("enrolled_by", "text")
    .addColumn("enrolled_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("ended_at", "bigint")
    .execute();
  // The scheduler's one hot query: due work only, so its cost follows due work, not stored work.
  await sql`create index enrollments_due on enrollments (next_run_at) where status in ('active', 'paused') and next_run_at is not null`.execute(
    db,
  );
  // One running enrollment per contact per sequence.
  await sql`create unique index enrollments_one_running on enrollments (contact_id, sequence_id) where status in ('active', 'paused')`.execute(
    db,
  );
  await db.schema
    .createIndex("enrollments_contact")
    .on("enrollments")
    .columns(["contact_id", "enrolled_at"])
    .execute();
  await db.schema
    .createIndex("enrollments_sequence_status")
    .on("enrollments")
    .columns(["sequence_id", "status"])
    .execute();

  await db.schema
    .createTable("messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("enrollment_id", "text", (c) => c.references("enrollments.id"))
    .addColumn("contact_id", "text", (c) => c.notNull().references("contacts.id"))
    .addColumn("step_id", "text")
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("idempotency_key", "text", (c) => c.notNull().unique())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("mailbox_id", "text")
    .addColumn("variant", "text")
    .addColumn("to_address", "text")
    .addColumn("to_domain", "text")
    .addColumn("from_address", "text")
    .addColumn("subject", "text")
    .addColumn("body_text", "text")
    .addColumn("body_html", "text")
    .addColumn("message_id_header", "text")
    .addColumn("in_reply_to", "text")
    .addColumn("references_header", "text")
    .addColumn("provider_message_id", "text")
    .addColumn("attempt_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "bigint")
    .addColumn("last_error", "text")
    .addColumn("hold_reason", "text")
    .addColumn("sent_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await sql`create index messages_outbox on messages (next_attempt_at) where status = 'queued'`.execute(db);
  await db.schema
    .createIndex("messages_contact_sent")
    .on("messages")
    .columns(["contact_id", "channel", "sent_at"])
    .execute();
  await db.schema
    .createIndex("messages_domain_sent")
    .on("messages")
    .columns(["to_domain", "sent_at"])
    .execute();
  await db.schema.createIndex("messages_enrollment").on("messages").column("enrollment_id").execute();
  await db.schema.createIndex("messages_message_id").on("messages").column("message_id_header").execute();
  await db.schema
    .createIndex("messages_mailbox_sent")
    .on("messages")
    .columns(["mailbox_id", "sent_at"])
    .execute();

  await db.schema
    .createTable("captured_messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("message_id", "text", (c) => c.notNull().references("messages.id"))
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("to_address", "text", (c) => c.notNull())
    .addColumn("raw", "text", (c) => c.notNull())
    .addColumn("captured_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("captured_messages_workspace")
    .on("captured_messages")
    .columns(["workspace_id", "captured_at"])
    .execute();

  await db.schema
    .createTable("events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("contact_id", "text")
    .addColumn("enrollment_id", "text")
    .addColumn("message_id", "text")
    .addColumn("data_json", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("occurred_at", "bigint", (c) => c.notNull())
    .addColumn("received_at", "bigint", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("is_machine", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("dedupe_key", "text")
    .execute();
  await db.schema
    .createIndex("events_contact_time")
    .on("events")
    .columns(["contact_id", "occurred_at"])
    .execute();
  await db.schema
    .createIndex("events_workspace_type_time")
    .on("events")
    .columns(["workspace_id", "type", "occurred_at"])
    .execute();
  await db.schema.createIndex("events_message").on("events").column("message_id").execute();
  await sql`create unique index events_dedupe on events (workspace_id, dedupe_key) where dedupe_key is not null`.execute(
    db,
  );

  await db.schema
    .createTable("tasks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("enrollment_id", "text", (c) => c.references("enrollments.id"))
    .addColumn("contact_id", "text", (c) => c.notNull().references("contacts.id"))
    .addColumn("step_id", "text")
    .addColumn("idempotency_key", "text", (c) => c.unique())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("assignee_id", "text", (c) => c.references("users.id"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("note", "text")
    .addColumn("data_json", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("due_at", "bigint", (c) => c.notNull())
    .addColumn("window_end_at", "bigint")
    .addColumn("status", "text", (c) => c.notNull().defaultTo("open"))
    .addColumn("outcome", "text")
    .addColumn("completed_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("tasks_assignee_due")
    .on("tasks")
    .columns(["workspace_id", "assignee_id", "status", "due_at"])
    .execute();
  await db.schema.createIndex("tasks_contact").on("tasks").columns(["contact_id", "created_at"]).execute();

  await db.schema
    .createTable("suppressions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("suppressions_workspace_kind_value", ["workspace_id", "kind", "value"])
    .execute();

  await db.schema
    .createTable("mailboxes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("from_name", "text", (c) => c.notNull())
    .addColumn("from_address", "text", (c) => c.notNull())
    .addColumn("reply_to", "text")
    .addColumn("signature", "text")
    .addColumn("user_id", "text", (c) => c.references("users.id"))
    .addColumn("smtp_json", "text")
    .addColumn("imap_json", "text")
    .addColumn("daily_limit", "integer", (c) => c.notNull().defaultTo(200))
    .addColumn("is_default", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("key_hash", "text", (c) => c.notNull().unique())
    .addColumn("scopes_json", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("last_used_at", "bigint")
    .addColumn("revoked_at", "bigint")
    .execute();

  await db.schema
    .createTable("webhooks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("event_types_json", "text", (c) => c.notNull())
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("webhook_deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("webhook_id", "text", (c) => c.notNull().references("webhooks.id"))
    .addColumn("event_type", "text", (c) => c.notNull())
    .addColumn("payload_json", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempt_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "bigint")
    .addColumn("response_status", "integer")
    .addColumn("last_error", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("delivered_at", "bigint")
    .execute();
  await sql`create index webhook_deliveries_pending on webhook_deliveries (next_attempt_at) where status = 'pending'`.execute(
    db,
  );

  await db.schema
    .createTable("audit_log")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id"))
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target_type", "text", (c) => c.notNull())
    .addColumn("target_id", "text")
    .addColumn("data_json", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("audit_log_workspace_at")
    .on("audit_log")
    .columns(["workspace_id", "at"])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    "audit_log",
    "webhook_deliveries",
    "webhooks",
    "api_keys",
    "mailboxes",
    "suppressions",
    "tasks",
    "events",
    "captured_messages",
    "messages",
    "enrollments",
    "sequence_versions",
    "sequences",
    "deal_stage_changes",
    "deals",
    "contacts",
    "accounts",
    "users",
    "workspaces",
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
