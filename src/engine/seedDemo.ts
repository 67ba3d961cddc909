// The first run: a demo workspace in sandbox mode with a rep, a sandbox mailbox, a test
// contact and the inbound-demo example sequence, active — so a newcomer can enroll someone
// and watch a cadence unfold on the test clock in a minute.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Executor } from "../store/executor.ts";
import { createApiKey } from "../store/repos/apiKeys.ts";
import { setSmsConsent, upsertContact } from "../store/repos/contacts.ts";
import { createMailbox } from "../store/repos/mailboxes.ts";
import { setSequenceStatus } from "../store/repos/sequences.ts";
import { createUser } from "../store/repos/users.ts";
import { createWorkspace } from "../store/repos/workspaces.ts";
import type { Workspace } from "../store/schema.ts";
import { saveSequenceFromText } from "./saveSequence.ts";

export const DEMO_SEQUENCE_FILE = fileURLToPath(new URL("../../examples/inbound-demo.yaml", import.meta.url));

export interface FirstRun {
  workspace: Workspace;
  adminKey: string;
  demo: { sequenceKey: string; contactEmail: string } | null;
}

export async function createFirstWorkspace(
  db: Executor,
  opts: { demo: boolean; timeZone?: string },
  nowUtcMs: number,
): Promise<FirstRun> {
  const workspace = await createWorkspace(
    db,
    { name: "My workspace", timeZone: opts.timeZone ?? "America/New_York" },
    nowUtcMs,
  );
  const { key } = await createApiKey(
    db,
    workspace.id,
    { name: "admin (first run)", scopes: ["admin"] },
    nowUtcMs,
  );
  if (!opts.demo) return { workspace, adminKey: key, demo: null };

  const rep = await createUser(
    db,
    workspace.id,
    { email: "rita@demo.nudge.test", name: "Rita Rep", role: "rep" },
    nowUtcMs,
  );
  await createMailbox(
    db,
    workspace.id,
    {
      name: "Rita (sandbox)",
      fromName: "Rita Rep",
      fromAddress: "rita@demo.nudge.test",
      signature: "Rita Rep\nAccount Executive, Demo Co",
      userId: rep.id,
      dailyLimit: 200,
      isDefault: true,
    },
    nowUtcMs,
  );
  const contactEmail = "ada@example.com";
  const { contact: ada } = await upsertContact(
    db,
    workspace.id,
    {
      email: contactEmail,
      firstName: "Ada",
      lastName: "Lovelace",
      title: "VP Engineering",
      company: "Example Corp",
      timeZone: "America/New_York",
      ownerId: rep.id,
      phone: "+12125550123",
    },
    nowUtcMs,
  );
  // The test contact agreed to texts, so the sandbox shows what an SMS step sends.
  await setSmsConsent(db, ada.id, "granted", "demo seed", nowUtcMs);
  const saved = await saveSequenceFromText(
    db,
    workspace.id,
    readFileSync(DEMO_SEQUENCE_FILE, "utf8"),
    "inbound-demo.yaml",
    nowUtcMs,
    "seed",
  );
  if (!saved.ok)
    throw new Error(`the bundled demo sequence does not validate: ${JSON.stringify(saved.errors)}`);
  await setSequenceStatus(db, workspace.id, saved.sequence.id, "active", nowUtcMs);
  return { workspace, adminKey: key, demo: { sequenceKey: saved.sequence.key, contactEmail } };
}
