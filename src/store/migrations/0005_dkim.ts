// DKIM signing per mailbox: the signing domain, selector and private key (PEM). The key is a
// secret like the SMTP password: the API accepts it on write and never returns it.

import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the evolving schema type
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable("mailboxes").addColumn("dkim_json", "text").execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable("mailboxes").dropColumn("dkim_json").execute();
}
