// A sequence's numbers, step by step: sent, delivered, human opens and clicks, replies,
// bounces, unsubscribes, holds, tasks, A/B variants; exits by reason; enrollments by status.
// Machine opens and clicks (image proxies, link scanners) are stored but never counted; a bounce
// is a message whose status says so (the sender and bounce intake both set it).

import { REPLY_EVENTS } from "../domain/enrollment/matchEvent.ts";
import type { SequenceDefinition } from "../domain/sequence/definition.ts";
import type { Executor } from "../store/executor.ts";
import { readJsonObject } from "../store/json.ts";
import {
  exitsOfSequence,
  messageCountsOfSequence,
  sentTouchesOfEnrollments,
  type TouchEventRow,
  taskCountsOfSequence,
  touchEventsOfSequence,
} from "../store/ops/sequenceStatsRows.ts";
import { countEnrollmentsByStatus } from "../store/repos/enrollments.ts";

const OPEN_EVENTS = ["email.opened"];
const CLICK_EVENTS = ["email.clicked", "link.clicked"];
const UNSUBSCRIBE_EVENTS = ["contact.unsubscribed", "email.unsubscribed", "sms.unsubscribed"];
const SENT_STATUSES = new Set(["sent", "uncertain", "bounced"]);

export interface StepStats {
  step_id: string;
  kind: string | null;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  replied: number;
  bounced: number;
  unsubscribed: number;
  held: number;
  tasks_created: number;
  tasks_completed: number;
  variants: Array<{ variant: string; sent: number; replied: number }>;
}

export interface SequenceStats {
  steps: StepStats[];
  exits: Record<string, number>;
  enrollments: { active: number; paused: number; completed: number; exited: number };
}

function emptyStep(stepId: string, kind: string | null): StepStats {
  return {
    step_id: stepId,
    kind,
    sent: 0,
    delivered: 0,
    opened: 0,
    clicked: 0,
    replied: 0,
    bounced: 0,
    unsubscribed: 0,
    held: 0,
    tasks_created: 0,
    tasks_completed: 0,
    variants: [],
  };
}

function isHumanReply(row: TouchEventRow): boolean {
  if (!REPLY_EVENTS.has(row.type)) return false;
  const cls = readJsonObject(row.dataJson).class;
  return cls === undefined || cls === null || cls === "human_reply";
}

export async function sequenceStats(
  db: Executor,
  sequenceId: string,
  definition: SequenceDefinition | null,
): Promise<SequenceStats> {
  const types = [...OPEN_EVENTS, ...CLICK_EVENTS, ...UNSUBSCRIBE_EVENTS, ...REPLY_EVENTS];
  const [messageCounts, events, taskCounts, exits, enrollments] = await Promise.all([
    messageCountsOfSequence(db, sequenceId),
    touchEventsOfSequence(db, sequenceId, types),
    taskCountsOfSequence(db, sequenceId),
    exitsOfSequence(db, sequenceId),
    countEnrollmentsByStatus(db, sequenceId),
  ]);

  const steps = new Map<string, StepStats>();
  for (const step of definition?.steps ?? []) steps.set(step.id, emptyStep(step.id, step.kind));
  const stepOf = (id: string | null) => {
    const key = id ?? "(none)";
    let stats = steps.get(key);
    if (!stats) {
      stats = emptyStep(key, null);
      steps.set(key, stats);
    }
    return stats;
  };
  const variantOf = (stats: StepStats, variant: string) => {
    let v = stats.variants.find((x) => x.variant === variant);
    if (!v) {
      v = { variant, sent: 0, replied: 0 };
      stats.variants.push(v);
    }
    return v;
  };

  for (const row of messageCounts) {
    const stats = stepOf(row.stepId);
    if (SENT_STATUSES.has(row.status)) {
      stats.sent += row.count;
      if (row.variant) variantOf(stats, row.variant).sent += row.count;
    }
    if (row.status === "bounced") stats.bounced += row.count;
    if (row.status === "held") stats.held += row.count;
  }

  // Events tied only to an enrollment are credited to the last touch sent before them.
  const orphanEnrollments = events
    .filter((e) => !e.messageId && e.enrollmentId)
    .map((e) => e.enrollmentId as string);
  const sentByEnrollment = new Map<string, Awaited<ReturnType<typeof sentTouchesOfEnrollments>>>();
  for (const touch of await sentTouchesOfEnrollments(db, orphanEnrollments)) {
    const list = sentByEnrollment.get(touch.enrollmentId) ?? [];
    list.push(touch);
    sentByEnrollment.set(touch.enrollmentId, list);
  }
  const counted = new Map<string, Set<string>>();
  const once = (metric: string, key: string) => {
    const seen = counted.get(metric) ?? new Set<string>();
    counted.set(metric, seen);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };

  for (const row of events) {
    if (row.machine) continue;
    let stepId = row.stepId;
    let variant = row.variant;
    let touchKey = row.messageId;
    if (!row.messageId) {
      const data = readJsonObject(row.dataJson);
      const touches = sentByEnrollment.get(row.enrollmentId ?? "") ?? [];
      const answered = [...touches].reverse().find((t) => t.sentAtUtcMs <= row.occurredAtUtcMs);
      stepId = typeof data.step === "string" ? data.step : (answered?.stepId ?? null);
      variant = answered && answered.stepId === stepId ? answered.variant : null;
      touchKey = answered?.id ?? `${row.enrollmentId}:${stepId}`;
    }
    const stats = stepOf(stepId);
    const key = touchKey ?? "";
    if (OPEN_EVENTS.includes(row.type)) {
      if (once("opened", key)) stats.opened += 1;
    } else if (CLICK_EVENTS.includes(row.type)) {
      if (once("clicked", key)) stats.clicked += 1;
    } else if (UNSUBSCRIBE_EVENTS.includes(row.type)) {
      if (once("unsubscribed", `${row.enrollmentId}`)) stats.unsubscribed += 1;
    } else if (isHumanReply(row)) {
      if (once("replied", `${row.enrollmentId ?? key}`)) {
        stats.replied += 1;
        if (variant) variantOf(stats, variant).replied += 1;
      }
    }
  }

  for (const row of taskCounts) {
    const stats = stepOf(row.stepId);
    stats.tasks_created += row.count;
    if (row.status === "done" || row.status === "skipped") stats.tasks_completed += row.count;
  }

  for (const stats of steps.values()) stats.delivered = Math.max(0, stats.sent - stats.bounced);
  return {
    steps: [...steps.values()],
    exits: Object.fromEntries(exits.map((e) => [e.reason, e.count])),
    enrollments,
  };
}
