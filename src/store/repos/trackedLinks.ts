// Tracked links: the URL behind link number N of a message, written when the message is composed
// and read by the click endpoint, which redirects nowhere else.

import type { Executor } from "../executor.ts";

/**
 * Records a message's tracked links. A message composed again (a retry after a transient
 * failure renders it anew) replaces its earlier set, so the rows always match what went out last.
 */
export async function replaceTrackedLinks(
  db: Executor,
  input: { workspaceId: string; messageId: string; links: ReadonlyArray<{ index: number; url: string }> },
  nowUtcMs: number,
): Promise<void> {
  await db.deleteFrom("tracked_links").where("message_id", "=", input.messageId).execute();
  if (input.links.length === 0) return;
  await db
    .insertInto("tracked_links")
    .values(
      input.links.map((link) => ({
        message_id: input.messageId,
        link_index: link.index,
        workspace_id: input.workspaceId,
        url: link.url,
        created_at: nowUtcMs,
      })),
    )
    .execute();
}

/** The URL recorded for exactly this message and link number (and its workspace), if any. */
export async function trackedLinkRow(
  db: Executor,
  messageId: string,
  linkIndex: number,
): Promise<{ url: string; workspaceId: string } | undefined> {
  const row = await db
    .selectFrom("tracked_links")
    .select(["url", "workspace_id"])
    .where("message_id", "=", messageId)
    .where("link_index", "=", linkIndex)
    .executeTakeFirst();
  return row ? { url: row.url, workspaceId: row.workspace_id } : undefined;
}

export async function trackedLinksOfMessage(
  db: Executor,
  messageId: string,
): Promise<Array<{ index: number; url: string }>> {
  const rows = await db
    .selectFrom("tracked_links")
    .select(["link_index", "url"])
    .where("message_id", "=", messageId)
    .orderBy("link_index")
    .execute();
  return rows.map((r) => ({ index: Number(r.link_index), url: r.url }));
}
