// The audit log: who changed what (sequence saved, key created, workspace switched live).

import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import { writeJson } from "../json.ts";
import type { Database } from "../schema.ts";

export type AuditEntry = Database["audit_log"];

export async function appendAudit(
  db: Executor,
  input: {
    workspaceId: string;
    actor: string;
    action: string;
    targetType: string;
    targetId?: string | null;
    data?: Record<string, unknown>;
  },
  nowUtcMs: number,
): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      id: newId("aud"),
      workspace_id: input.workspaceId,
      actor: input.actor,
      action: input.action,
      target_type: input.targetType,
      target_id: input.targetId ?? null,
      data_json: writeJson(input.data ?? {}),
      at: nowUtcMs,
    })
    .execute();
}

export async function listAudit(db: Executor, workspaceId: string, limit = 100): Promise<AuditEntry[]> {
  return db
    .selectFrom("audit_log")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}
