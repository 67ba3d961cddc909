// Builds the world an engine test needs: a workspace, sequences from YAML text, contacts, and
// enrollments, through the same code paths the API and CLI use.

import { enrollContact } from "../../src/engine/enroll.ts";
import { saveSequenceFromText } from "../../src/engine/saveSequence.ts";
import type { StoreEngine } from "../../src/store/dialect/storeEngine.ts";
import { type ContactInput, upsertContact } from "../../src/store/repos/contacts.ts";
import { setSequenceStatus } from "../../src/store/repos/sequences.ts";
import { createWorkspace, getWorkspace, type WorkspaceSettings } from "../../src/store/repos/workspaces.ts";
import type { SequenceRow, Workspace } from "../../src/store/schema.ts";

export async function makeWorkspace(
  engine: StoreEngine,
  nowUtcMs: number,
  opts: { timeZone?: string; settings?: WorkspaceSettings; testClock?: boolean } = {},
): Promise<Workspace> {
  const ws = await createWorkspace(
    engine.db,
    {
      name: "Test",
      timeZone: opts.timeZone ?? "America/New_York",
      ...(opts.settings ? { settings: opts.settings } : {}),
    },
    nowUtcMs,
  );
  if (opts.testClock !== false) {
    await engine.db.updateTable("workspaces").set({ clock_at: nowUtcMs }).where("id", "=", ws.id).execute();
  }
  const fresh = await getWorkspace(engine.db, ws.id);
  if (!fresh) throw new Error("workspace vanished");
  return fresh;
}

export async function makeSequence(
  engine: StoreEngine,
  workspace: Workspace,
  yaml: string,
  nowUtcMs: number,
): Promise<SequenceRow> {
  const saved = await saveSequenceFromText(engine.db, workspace.id, yaml, "test.yaml", nowUtcMs, "test");
  if (!saved.ok)
    throw new Error(`test sequence does not validate:\n${JSON.stringify(saved.errors, null, 2)}`);
  await setSequenceStatus(engine.db, workspace.id, saved.sequence.id, "active", nowUtcMs);
  return { ...saved.sequence, status: "active" };
}

export async function makeContact(
  engine: StoreEngine,
  workspace: Workspace,
  input: ContactInput,
  nowUtcMs: number,
) {
  return (await upsertContact(engine.db, workspace.id, input, nowUtcMs)).contact;
}

export async function enroll(
  engine: StoreEngine,
  workspace: Workspace,
  sequence: SequenceRow,
  contactId: string,
  nowUtcMs: number,
) {
  const result = await engine.db
    .transaction()
    .execute((trx) => enrollContact(trx, workspace, sequence, contactId, nowUtcMs));
  if (result.status !== "enrolled") throw new Error(`enroll failed: ${JSON.stringify(result)}`);
  return result.enrollment;
}

/** Every day, all day: for tests that must not depend on the sending window. */
export const ALWAYS_OPEN = `schedule:
  timezone: UTC
  days: [mon, tue, wed, thu, fri, sat, sun]
  hours: ["00:00-24:00"]
`;
