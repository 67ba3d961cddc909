// Unsubscribe by the signed token of an email's link or RFC 8058 one-click POST: within one
// transaction the address is suppressed and every running enrollment of the contact exits.

import { verifyToken } from "../channels/email/signedToken.ts";
import type { StoreEngine } from "../store/dialect/storeEngine.ts";
import type { Executor } from "../store/executor.ts";
import { getContact } from "../store/repos/contacts.ts";
import { runningEnrollmentsOfContact } from "../store/repos/enrollments.ts";
import { getMessage } from "../store/repos/messages.ts";
import { addSuppression } from "../store/repos/suppressions.ts";
import { getWorkspace, workspaceSettings } from "../store/repos/workspaces.ts";
import type { MessageRow, Workspace } from "../store/schema.ts";
import { transact } from "../store/transact.ts";
import { type Clock, workspaceNow } from "./clock.ts";
import { ingestEvent } from "./ingestEvent.ts";
import { runEnrollment } from "./runEnrollment.ts";

/** `one_click`: a mail client's RFC 8058 POST; `link`: a person confirmed on our page. */
export type UnsubscribeVia = "one_click" | "link";

export interface UnsubscribeTarget {
  message: MessageRow;
  workspace: Workspace;
  /** The address the email went to (else the contact's), or null when neither is known. */
  email: string | null;
}

export interface UnsubscribeResult {
  /** False when the address was already suppressed and nothing was running: a repeat. */
  changed: boolean;
  email: string | null;
  exitedEnrollmentIds: string[];
}

const MAX_TOKEN_LENGTH = 512;

/**
 * The message id a token claims, read before verification: the HMAC key is per workspace, so
 * the message (and through it the workspace) must be found first. Nothing is trusted until
 * `verifyToken` passes with that workspace's secret.
 */
function claimedMessageId(token: string): string | null {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const dot = token.indexOf(".");
  if (dot <= 0) return null;
  const [purpose, messageId] = Buffer.from(token.slice(0, dot), "base64url").toString("utf8").split(":");
  return purpose === "u" && messageId ? messageId : null;
}

/** The message a genuine unsubscribe token names; null for anything forged, altered or unknown. */
export async function resolveUnsubscribeToken(
  db: Executor,
  token: string,
): Promise<UnsubscribeTarget | null> {
  const messageId = claimedMessageId(token);
  if (!messageId) return null;
  const message = await getMessage(db, messageId);
  if (!message) return null;
  const workspace = await getWorkspace(db, message.workspace_id);
  if (!workspace) return null;
  // The same fallback the outbox sender signs with.
  const secret = workspaceSettings(workspace).secret ?? workspace.id;
  const payload = verifyToken(secret, token, "u");
  if (!payload || payload.messageId !== message.id) return null;
  const contact = await getContact(db, workspace.id, message.contact_id);
  const email = (message.channel === "email" ? message.to_address : null) ?? contact?.email ?? null;
  return { message, workspace, email };
}

/** Null when the token is not genuine (the caller answers 404). Safe to repeat. */
export async function unsubscribeByToken(
  engine: StoreEngine,
  token: string,
  via: UnsubscribeVia,
  clock: Clock,
): Promise<UnsubscribeResult | null> {
  // Forged tokens are turned away before any write transaction (on SQLite, the write lock).
  if (!(await resolveUnsubscribeToken(engine.db, token))) return null;
  return transact(engine, async (trx) => {
    const target = await resolveUnsubscribeToken(trx, token);
    if (!target) return null;
    const { message, workspace, email } = target;
    const nowUtcMs = workspaceNow(workspace, clock);
    let changed = false;
    if (email) {
      const added = await addSuppression(
        trx,
        workspace.id,
        { kind: "email", value: email, reason: "unsubscribed", source: via },
        nowUtcMs,
      );
      changed = added.created;
    }
    const ingested = await ingestEvent(
      trx,
      workspace,
      {
        type: "contact.unsubscribed",
        contactId: message.contact_id,
        enrollmentId: message.enrollment_id,
        messageId: message.id,
        data: { email, via, message_id: message.id },
        occurredAtUtcMs: nowUtcMs,
        source: via === "one_click" ? "unsubscribe:one_click" : "unsubscribe:link",
        dedupeKey: `unsubscribe:${message.id}`,
      },
      nowUtcMs,
      // An opt-out must never start a sequence.
      { enrollTriggers: false },
    );
    const exited = ingested.affected.filter((a) => a.status === "exited").map((a) => a.enrollmentId);
    // A repeat of an old token is a duplicate event and feeds nothing; if someone re-enrolled
    // the contact since (after lifting the suppression), the opt-out must still stop it.
    for (const enrollment of await runningEnrollmentsOfContact(trx, message.contact_id)) {
      const applied = await runEnrollment(
        trx,
        workspace,
        enrollment,
        { kind: "exit", reason: "unsubscribed", detail: `unsubscribe ${via}` },
        nowUtcMs,
      );
      if (applied.state.status === "exited") exited.push(enrollment.id);
    }
    return {
      changed: changed || !ingested.duplicate || exited.length > 0,
      email,
      exitedEnrollmentIds: exited,
    };
  });
}
