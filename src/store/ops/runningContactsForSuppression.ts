// The contacts a new suppression must stop: those with a running enrollment whose email (or
// its domain) or phone number the suppression covers. Emails and domains are matched in SQL;
// phone numbers, written many ways, are compared normalised among running contacts only.

import { sql } from "kysely";
import { emailDomain } from "../../domain/contact/companyDomain.ts";
import type { Executor } from "../executor.ts";
import { normalizeSuppressionValue, type SuppressionKind } from "../repos/suppressions.ts";

export async function runningContactsForSuppression(
  db: Executor,
  workspaceId: string,
  kind: SuppressionKind,
  value: string,
): Promise<string[]> {
  const normalized = normalizeSuppressionValue(kind, value);
  let query = db
    .selectFrom("contacts")
    .select(["contacts.id", "contacts.email", "contacts.phone"])
    .where("contacts.workspace_id", "=", workspaceId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("enrollments")
          .select(sql.lit(1).as("one"))
          .whereRef("enrollments.contact_id", "=", "contacts.id")
          .where("enrollments.status", "in", [sql.lit<"active">("active"), sql.lit<"paused">("paused")]),
      ),
    );
  if (kind === "email") query = query.where("contacts.email", "=", normalized);
  if (kind === "domain") {
    const pattern = `%@${normalized.replace(/[%_\\]/g, (c) => `\\${c}`)}`;
    query = query.where(sql<boolean>`lower(contacts.email) like ${pattern} escape '\\'`);
  }
  const rows = await query.execute();
  return rows
    .filter((c) => {
      if (kind === "email")
        return c.email !== null && normalizeSuppressionValue("email", c.email) === normalized;
      if (kind === "domain") return c.email !== null && emailDomain(c.email.toLowerCase()) === normalized;
      return c.phone !== null && normalizeSuppressionValue("phone", c.phone) === normalized;
    })
    .map((c) => c.id);
}
