// Open and click tracking, both ends. At send time: sign the pixel and click URLs of a message,
// rewrite its HTML and record what each tracked link points at. At hit time: verify the token,
// find the recorded URL (nothing else is ever a redirect target), classify the hit as human or
// machine, and ingest it as an `email.opened` / `email.clicked` event in one transaction.

import { signToken, type TokenPurpose, verifyToken } from "../channels/email/signedToken.ts";
import { classifyTrackingHit, type TrackingVerdict } from "../domain/tracking/classifyTrackingHit.ts";
import { type TrackingSettings, trackEmailHtml } from "../domain/tracking/trackEmailHtml.ts";
import type { StoreEngine } from "../store/dialect/storeEngine.ts";
import type { Executor } from "../store/executor.ts";
import { getMessage } from "../store/repos/messages.ts";
import { replaceTrackedLinks, trackedLinkRow } from "../store/repos/trackedLinks.ts";
import { getWorkspace, workspaceSettings } from "../store/repos/workspaces.ts";
import type { MessageRow, Workspace } from "../store/schema.ts";
import { transact } from "../store/transact.ts";
import { type Clock, workspaceNow } from "./clock.ts";
import { ingestEvent } from "./ingestEvent.ts";

const MAX_TOKEN_LENGTH = 512;
/** No email has this many links; a larger number in a token is not one we signed. */
const MAX_LINK_INDEX = 10_000;

/** The HMAC key of a workspace's public-URL tokens (the same fallback unsubscribe uses). */
export function tokenSecret(workspace: Workspace): string {
  return workspaceSettings(workspace).secret ?? workspace.id;
}

export function pixelPath(secret: string, messageId: string): string {
  return `/t/o/${signToken(secret, { purpose: "o", messageId })}.gif`;
}

export function clickPath(secret: string, messageId: string, linkIndex: number): string {
  return `/t/c/${signToken(secret, { purpose: "c", messageId, link: linkIndex })}`;
}

/**
 * Tracks a message's HTML part as its sequence asks, and records the URL behind each tracked
 * link in the same transaction that stages the message (a retry composes anew and replaces the
 * earlier attempt's links). With tracking off (a setting of the sequence version, so the same
 * on every attempt) nothing changes and nothing is written.
 */
export async function trackMessageHtml(
  trx: Executor,
  input: {
    workspace: Workspace;
    messageId: string;
    html: string;
    settings: TrackingSettings;
    publicUrl: string;
  },
  nowUtcMs: number,
): Promise<string> {
  if (!input.settings.opens && !input.settings.clicks) return input.html;
  const base = input.publicUrl.replace(/\/+$/, "");
  const secret = tokenSecret(input.workspace);
  const tracked = trackEmailHtml(input.html, input.settings, {
    clickUrl: (index) => `${base}${clickPath(secret, input.messageId, index)}`,
    pixelUrl: `${base}${pixelPath(secret, input.messageId)}`,
    keep: (url) => url === base || url.startsWith(`${base}/`),
  });
  await replaceTrackedLinks(
    trx,
    { workspaceId: input.workspace.id, messageId: input.messageId, links: tracked.links },
    nowUtcMs,
  );
  return tracked.html;
}

/** The message id a token claims, read before verification (the key is per workspace). */
function claimedMessageId(token: string, purpose: TokenPurpose): string | null {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const dot = token.indexOf(".");
  if (dot <= 0) return null;
  const [claimed, messageId] = Buffer.from(token.slice(0, dot), "base64url").toString("utf8").split(":");
  return claimed === purpose && messageId ? messageId : null;
}

interface TrackingTarget {
  message: MessageRow;
  workspace: Workspace;
  /** Clicks: the recorded link. */
  link?: { index: number; url: string };
}

/**
 * The message (and, for a click, the recorded link) a genuine token names; null for a forged
 * or altered token, a token of another workspace, or a link number the message never had.
 */
export async function resolveTrackingToken(
  db: Executor,
  token: string,
  purpose: "o" | "c",
): Promise<TrackingTarget | null> {
  const messageId = claimedMessageId(token, purpose);
  if (!messageId) return null;
  const message = await getMessage(db, messageId);
  if (message?.channel !== "email") return null;
  const workspace = await getWorkspace(db, message.workspace_id);
  if (!workspace) return null;
  const payload = verifyToken(tokenSecret(workspace), token, purpose);
  if (!payload || payload.messageId !== message.id) return null;
  if (purpose === "o") return payload.link === undefined ? { message, workspace } : null;
  if (payload.link === undefined || payload.link > MAX_LINK_INDEX) return null;
  const link = await trackedLinkRow(db, message.id, payload.link);
  if (!link || link.workspaceId !== workspace.id) return null;
  return { message, workspace, link: { index: payload.link, url: link.url } };
}

export interface TrackingRequest {
  method: string;
  userAgent: string | null;
  ip: string | null;
  referer: string | null;
  /** Origins of Nudge's own pages: a hit they refer is a preview, not the recipient. */
  ownOrigins: string[];
}

export interface TrackingHitResult {
  verdict: TrackingVerdict;
  /** Clicks: where to send the reader, exactly as recorded at send time. */
  url?: string;
  /** False when an equal hit was already stored (repeats are answered, not stored again). */
  stored: boolean;
}

/**
 * Verifies and records an open (`o`) or click (`c`). Null means the token is not genuine: the
 * caller answers 404 and nothing was written.
 */
export async function recordTrackingHit(
  engine: StoreEngine,
  clock: Clock,
  token: string,
  purpose: "o" | "c",
  request: TrackingRequest,
): Promise<TrackingHitResult | null> {
  // Forged tokens are turned away before any write transaction (on SQLite, the write lock).
  if (!(await resolveTrackingToken(engine.db, token, purpose))) return null;
  return transact(engine, async (trx) => {
    const target = await resolveTrackingToken(trx, token, purpose);
    if (!target) return null;
    const { message, workspace, link } = target;
    const nowUtcMs = workspaceNow(workspace, clock);
    const verdict = classifyTrackingHit({
      kind: purpose === "o" ? "open" : "click",
      method: request.method,
      userAgent: request.userAgent,
      ip: request.ip,
      referer: request.referer,
      ownOrigins: request.ownOrigins,
      atUtcMs: nowUtcMs,
      sentAtUtcMs: message.sent_at,
    });
    const what = link ? `click:${message.id}:${link.index}` : `open:${message.id}`;
    const ingested = await ingestEvent(
      trx,
      workspace,
      {
        type: link ? "email.clicked" : "email.opened",
        contactId: message.contact_id,
        enrollmentId: message.enrollment_id,
        messageId: message.id,
        data: {
          ...(message.step_id ? { step: message.step_id } : {}),
          message_id: message.id,
          ...(link ? { url: link.url, link: link.index } : {}),
          user_agent: request.userAgent,
          ...(verdict.machine ? { machine_reason: verdict.reason, machine_detail: verdict.detail } : {}),
        },
        occurredAtUtcMs: nowUtcMs,
        source: link ? "tracking:click" : "tracking:open",
        machine: verdict.machine,
        // The first human hit of a message (or of each link) moves sequences and counts; later
        // ones would only repeat it. One machine hit is kept too, to show what the proxies did.
        dedupeKey: verdict.machine ? `${what}:machine` : what,
      },
      nowUtcMs,
      // Machine hits never start a sequence; human ones may (a trigger on email.clicked).
      { enrollTriggers: !verdict.machine },
    );
    return { verdict, stored: !ingested.duplicate, ...(link ? { url: link.url } : {}) };
  });
}
