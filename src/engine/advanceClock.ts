// `clock advance` for a sandbox workspace: moves its test clock forward and processes every
// piece of work that falls due on the way, in time order, at the time it falls due — so a
// 21-day cadence walks in seconds and lands exactly where the real clock would have.

import type { EmailTransport } from "../channels/delivery.ts";
import type { StoreEngine } from "../store/dialect/storeEngine.ts";
import { nextDueAt } from "../store/ops/claimDueEnrollments.ts";
import { nextOutboxAt } from "../store/ops/claimOutboxMessages.ts";
import { getWorkspace, setWorkspaceClock } from "../store/repos/workspaces.ts";
import type { Clock } from "./clock.ts";
import { sendDueMessages } from "./outboxSender.ts";
import { runDueEnrollments } from "./runDueEnrollments.ts";

export class ClockError extends Error {
  override readonly name = "ClockError";
}

export interface AdvanceReport {
  fromUtcMs: number;
  toUtcMs: number;
  ticks: number;
  enrollmentsProcessed: number;
  messagesCaptured: number;
  messagesDeferred: number;
  messagesHeld: number;
}

const MAX_STEPS = 100_000;

export async function advanceClock(
  deps: { engine: StoreEngine; clock: Clock; publicUrl: string; emailTransport?: EmailTransport | null },
  workspaceId: string,
  deltaMs: number,
): Promise<AdvanceReport> {
  if (!(deltaMs >= 0)) throw new ClockError("the test clock only moves forward");
  const workspace = await getWorkspace(deps.engine.db, workspaceId);
  if (!workspace) throw new ClockError(`no workspace ${workspaceId}`);
  if (workspace.mode !== "sandbox") {
    throw new ClockError(
      "the test clock exists only in sandbox mode; a live workspace runs on the real clock",
    );
  }
  const fromUtcMs = workspace.clock_at ?? deps.clock.nowUtcMs();
  const toUtcMs = fromUtcMs + deltaMs;
  const report: AdvanceReport = {
    fromUtcMs,
    toUtcMs,
    ticks: 0,
    enrollmentsProcessed: 0,
    messagesCaptured: 0,
    messagesDeferred: 0,
    messagesHeld: 0,
  };
  let now = fromUtcMs;
  await setWorkspaceClock(deps.engine.db, workspaceId, now);
  for (let step = 0; step < MAX_STEPS; step++) {
    // Everything due at `now`, until a pass finds nothing left at this instant.
    for (;;) {
      const due = await runDueEnrollments(deps.engine, { nowUtcMs: now, workspaceId, limit: 500 });
      const sent = await sendDueMessages(
        { engine: deps.engine, emailTransport: deps.emailTransport ?? null, publicUrl: deps.publicUrl },
        { nowUtcMs: now, workspaceId, limit: 500 },
      );
      report.enrollmentsProcessed += due.processed;
      report.messagesCaptured += sent.captured + sent.sent;
      report.messagesDeferred += sent.deferred;
      report.messagesHeld += sent.held;
      if (due.processed === 0 && sent.claimed === 0) break;
      report.ticks += 1;
    }
    const [nextEnrollment, nextMessage] = await Promise.all([
      nextDueAt(deps.engine.db, workspaceId),
      nextOutboxAt(deps.engine.db, workspaceId),
    ]);
    const next = Math.min(
      nextEnrollment ?? Number.POSITIVE_INFINITY,
      nextMessage ?? Number.POSITIVE_INFINITY,
    );
    if (next > toUtcMs) break;
    now = Math.max(now, next);
    await setWorkspaceClock(deps.engine.db, workspaceId, now);
  }
  await setWorkspaceClock(deps.engine.db, workspaceId, toUtcMs);
  return report;
}
