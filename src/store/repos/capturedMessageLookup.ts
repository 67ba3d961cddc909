// One captured sandbox message by id (capturedMessages.ts captures and lists them).

import type { Executor } from "../executor.ts";
import type { CapturedMessage } from "./capturedMessages.ts";

export async function findCapturedMessage(
  db: Executor,
  workspaceId: string,
  id: string,
): Promise<CapturedMessage | undefined> {
  return db
    .selectFrom("captured_messages")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}
