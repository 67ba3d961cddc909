// Workspaces: the tenant, its mode (sandbox or live), time zone, test clock and settings.

import { randomBytes } from "node:crypto";
import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import { readJsonObject, writeJson } from "../json.ts";
import type { Workspace } from "../schema.ts";

export interface WorkspaceSettings {
  /** Cross-sequence policy when a contact is already running in another sequence. */
  concurrentEnrollment?: "allow" | "skip" | "queue";
  caps?: { emailsPer7Days?: number; smsPer7Days?: number; perDomainPerHour?: number };
  publicUrl?: string;
  emailDomain?: string;
  /** The sender's postal address, printed in every email's footer (CAN-SPAM requires one). */
  postalAddress?: string;
  /** HMAC key for the tokens in public URLs (unsubscribe, tracking). Never leaves the server. */
  secret?: string;
  [key: string]: unknown;
}

export async function createWorkspace(
  db: Executor,
  input: { name: string; timeZone?: string; mode?: "sandbox" | "live"; settings?: WorkspaceSettings },
  nowUtcMs: number,
): Promise<Workspace> {
  const row: Workspace = {
    id: newId("ws"),
    name: input.name,
    mode: input.mode ?? "sandbox",
    time_zone: input.timeZone ?? "UTC",
    clock_at: null,
    settings_json: writeJson({ secret: randomBytes(32).toString("hex"), ...(input.settings ?? {}) }),
    created_at: nowUtcMs,
  };
  await db.insertInto("workspaces").values(row).execute();
  return row;
}

export async function getWorkspace(db: Executor, id: string): Promise<Workspace | undefined> {
  return db.selectFrom("workspaces").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function listWorkspaces(db: Executor): Promise<Workspace[]> {
  return db.selectFrom("workspaces").selectAll().orderBy("id").execute();
}

export function workspaceSettings(ws: Workspace): WorkspaceSettings {
  return readJsonObject(ws.settings_json) as WorkspaceSettings;
}

export async function updateWorkspaceSettings(
  db: Executor,
  id: string,
  patch: WorkspaceSettings,
): Promise<void> {
  const ws = await getWorkspace(db, id);
  if (!ws) return;
  const merged = { ...workspaceSettings(ws), ...patch };
  await db
    .updateTable("workspaces")
    .set({ settings_json: writeJson(merged) })
    .where("id", "=", id)
    .execute();
}

export async function setWorkspaceMode(db: Executor, id: string, mode: "sandbox" | "live"): Promise<void> {
  await db.updateTable("workspaces").set({ mode }).where("id", "=", id).execute();
}

/** Moves a sandbox workspace's test clock; null returns it to the system clock. */
export async function setWorkspaceClock(
  db: Executor,
  id: string,
  clockAtUtcMs: number | null,
): Promise<void> {
  await db.updateTable("workspaces").set({ clock_at: clockAtUtcMs }).where("id", "=", id).execute();
}
