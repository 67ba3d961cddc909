// The enrollment state machine's vocabulary: the state an enrollment carries between runs, the
// inputs that move it, the facts it may read, and the effects the engine must carry out.

import type { ExitReason } from "../sequence/definition.ts";

export type EnrollmentStatus = "active" | "paused" | "completed" | "exited";

/**
 * Where an active enrollment stands between two runs.
 * - `due`: `stepId` runs at `nextRunAtUtcMs` (its wait already applied).
 * - `sending`: an automatic touch of `stepId` is in the outbox; the enrollment advances when
 *   the engine reports `touch.sent` (waits count from the real send, so caps keep order).
 * - `waiting_for_event`: a `wait_for` step; `nextRunAtUtcMs` is its timeout.
 * - `waiting_for_task`: a rep task of `stepId` is open; `nextRunAtUtcMs` is the auto-skip time or null.
 * - `held`: `stepId` cannot go out (`holdReason`); a contact update or a manual retry re-runs it.
 */
export type Phase = "due" | "sending" | "waiting_for_event" | "waiting_for_task" | "held";

export interface TouchRecord {
  step: string;
  /** When the touch ran (task created / message sent). */
  atUtcMs: number;
  channel: string;
  variant?: string;
}

export interface EnrollmentState {
  status: EnrollmentStatus;
  phase: Phase;
  /** The step the phase is about; null once completed or exited. */
  stepId: string | null;
  nextRunAtUtcMs: number | null;
  /** While paused (out-of-office, manual): when to resume. null = until resumed by hand. */
  pausedUntilUtcMs: number | null;
  enrolledAtUtcMs: number;
  exitReason: ExitReason | "completed" | null;
  exitDetail: string | null;
  holdReason: string | null;
  /** Steps executed so far, oldest first. */
  touches: TouchRecord[];
  /** How many times each step has run (loops); part of the outbox idempotency key. */
  visits: Record<string, number>;
}

/** An event as the core sees it (already stored by the engine). */
export interface EventFact {
  type: string;
  occurredAtUtcMs: number;
  data: Record<string, unknown>;
  /** For email.opened / email.clicked etc.: the step of this enrollment the event is about. */
  step?: string;
  /** Opens/clicks that look automated (image proxies, link scanners): never used by branches. */
  machine?: boolean;
}

export type DecideInput =
  | { kind: "tick" }
  | { kind: "event"; event: EventFact }
  | { kind: "touch_sent"; step: string; atUtcMs: number; variant?: string }
  | { kind: "touch_held"; step: string; reason: string }
  /** The touch can never go to this contact on this channel (texts refused, a Do-Not-Call number): move on. */
  | { kind: "touch_skipped"; step: string; reason: string }
  | { kind: "task_completed"; step: string; outcome: TaskOutcome }
  | { kind: "pause"; untilUtcMs: number | null }
  | { kind: "resume" }
  | { kind: "exit"; reason: ExitReason; detail?: string };

export type TaskOutcome =
  | "connected"
  | "meeting_booked"
  | "no_answer"
  | "left_voicemail"
  | "wrong_number"
  | "skip";

export interface ContactFacts {
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
  phone: string | null;
  time_zone: string | null;
  lifecycle_stage: string | null;
  tags: string[];
  fields: Record<string, string | number | boolean | null>;
}

/** What decide may read besides the enrollment itself; loaded by the engine. */
export interface DecideFacts {
  contact: ContactFacts;
  account: { name: string | null; domain: string | null; fields: Record<string, unknown> } | null;
  deal: { name: string | null; stage: string | null; amount: number | null } | null;
  sender: {
    name: string | null;
    email: string | null;
    signature: string | null;
    title?: string | null;
  } | null;
  /** Events about this contact since the enrollment began (for branches and wait_for). */
  events: EventFact[];
  workspaceZone: string;
}

export type Effect =
  | { kind: "send_email"; step: string; variant: string | null; thread: boolean; visit: number }
  | { kind: "send_sms"; step: string; visit: number }
  | { kind: "send_voicemail"; step: string; visit: number }
  | {
      kind: "create_task";
      step: string;
      visit: number;
      type: "call" | "linkedin" | "manual_email" | "task";
      title: string;
      note: string | null;
      dueAtUtcMs: number;
      /** End of the call window on the due day, when the step has one. */
      windowEndUtcMs: number | null;
    }
  | {
      kind: "update_contact";
      addTags: string[];
      removeTags: string[];
      set: Record<string, string | number | boolean | null>;
    }
  | { kind: "update_deal"; stage: string }
  | {
      kind: "call_webhook";
      step: string;
      url: string;
      method: "POST" | "PUT";
      body: Record<string, unknown> | null;
    }
  | { kind: "hold"; step: string; reason: string }
  /** A rep task left undone past its step's `skip_after`: closed as skipped, the sequence moves on. */
  | { kind: "skip_task"; step: string }
  | { kind: "exit"; reason: ExitReason; detail: string | null }
  | {
      kind: "complete";
      addTags: string[];
      stage: string | null;
      task: {
        type: "call" | "linkedin" | "manual_email" | "task";
        title: string;
        note: string | null;
      } | null;
      enroll: { sequence: string; atUtcMs: number } | null;
    };

export interface Decision {
  state: EnrollmentState;
  effects: Effect[];
}
