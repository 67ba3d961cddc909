// The sandbox outbox: full copies of what would have been delivered (MIME for email, the
// text for SMS), shown in the UI and API instead of being sent.

import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import type { Database } from "../schema.ts";

export type CapturedMessage = Database["captured_messages"];

export async function captureMessage(
  db: Executor,
  input: Omit<CapturedMessage, "id" | "captured_at">,
  nowUtcMs: number,
): Promise<CapturedMessage> {
  const row: CapturedMessage = { id: newId("cap"), ...input, captured_at: nowUtcMs };
  await db.insertInto("captured_messages").values(row).execute();
  return row;
}

export async function listCapturedMessages(
  db: Executor,
  workspaceId: string,
  opts: { toAddress?: string; cursor?: string | null; limit?: number } = {},
): Promise<CapturedMessage[]> {
  let q = db.selectFrom("captured_messages").selectAll().where("workspace_id", "=", workspaceId);
  if (opts.toAddress) q = q.where("to_address", "=", opts.toAddress.toLowerCase());
  if (opts.cursor) q = q.where("id", ">", opts.cursor);
  return q
    .orderBy("id")
    .limit(opts.limit ?? 100)
    .execute();
}
