// The parsed, validated shape of a sequence definition: what YAML/JSON files and the web
// editor both produce. Everything downstream (decide, simulate, the engine) trusts this shape.

/** Days of the week as written in definitions. */
export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** A window inside one day, minutes after local midnight: [startMinute, endMinute). */
export interface DayWindow {
  startMinute: number;
  endMinute: number;
}

export interface Schedule {
  /** `contact` = the contact's zone, falling back to the workspace's; otherwise an IANA name. */
  timezone: "contact" | string;
  days: Weekday[];
  /** Several windows allowed, sorted and non-overlapping after validation. */
  hours: DayWindow[];
  /** ISO 3166 country code (optionally `US-CA` style) for the date-holidays calendar. */
  holidays?: string;
  /** Whether `3d` style waits count calendar days or business days. */
  waits: "calendar" | "business";
}

/** A schedule with the zone decided for one contact: what time functions work on. */
export interface ResolvedSchedule extends Omit<Schedule, "timezone"> {
  zone: string;
}

export type Delay =
  | { kind: "none" }
  | { kind: "minutes"; minutes: number }
  | { kind: "hours"; hours: number }
  /** Calendar or business days, per the `business` flag (from the text or the schedule). */
  | { kind: "days"; days: number; business: boolean }
  /** "next business morning at 09:30": the next sending day after today, at that local time. */
  | { kind: "next_business_morning"; atMinute: number };

/** A match on an event's data: each key is a dotted path into `data`. */
export type Match = Record<string, MatchValue>;
export type MatchValue =
  | string
  | number
  | boolean
  | { equals: string | number | boolean }
  | { in: Array<string | number | boolean> }
  | { contains: string }
  | { matches: string }
  | { gte: number }
  | { lte: number };

export type Trigger =
  | { event: string; where?: Match }
  | { event: "contact.inactive"; days: number; where?: Match };

export type Condition =
  | { kind: "opened"; step: string }
  | { kind: "clicked"; step: string; url?: string }
  | { kind: "replied" }
  | { kind: "field"; path: string; op: FieldOp; value?: string | number | boolean | Array<string | number> }
  | { kind: "tag"; tag: string }
  | { kind: "event"; event: string; where?: Match }
  | { kind: "all"; of: Condition[] }
  | { kind: "any"; of: Condition[] }
  | { kind: "not"; of: Condition };

export type FieldOp = "equals" | "not_equals" | "contains" | "exists" | "missing" | "gt" | "lt" | "in";

export interface EmailVariant {
  id: string;
  weight: number;
  subject?: string;
  body?: string;
}

export interface EmailContent {
  subject?: string;
  body: string;
  format: "markdown" | "html";
  /** Reply in the thread of the previous email of this enrollment. */
  thread: boolean;
  variants?: EmailVariant[];
}

export type StepAction =
  | { kind: "email"; email: EmailContent }
  | { kind: "sms"; sms: { body: string } }
  | { kind: "voicemail"; voicemail: { script?: string; audio_url?: string } }
  | { kind: "call"; call: { note?: string; window?: DayWindow } }
  | { kind: "linkedin"; linkedin: { note?: string; action: "connect" | "message" | "view" } }
  | { kind: "manual_email"; manual_email: { subject?: string; body: string; note?: string } }
  | { kind: "task"; task: { title: string; note?: string } }
  | {
      kind: "wait_for";
      wait_for: {
        event: string;
        /** Limit to events about an earlier step of this enrollment (opened/clicked step X). */
        step?: string;
        where?: Match;
        timeoutDelay: Delay;
        /** Where to go when the event arrives / on timeout; default: the next step. */
        onEvent?: string;
        onTimeout?: string;
      };
    }
  | { kind: "branch"; branch: { rules: Array<{ if: Condition; goto: string }>; else: string } }
  | {
      kind: "update";
      update: {
        addTags?: string[];
        removeTags?: string[];
        /** Contact attributes or `fields.x` custom fields. */
        set?: Record<string, string | number | boolean | null>;
        dealStage?: string;
      };
    }
  | { kind: "webhook"; webhook: { url: string; method: "POST" | "PUT"; body?: Record<string, unknown> } };

export type StepKind = StepAction["kind"];

export type Step = StepAction & {
  id: string;
  /** Wait before this step runs, counted from the previous step. */
  wait: Delay;
  /** Where to go after this step; default the next step in the list; `end` completes. */
  next?: string;
  /** Rep tasks only: close the task as skipped and move on when it is still open this long after it fell due. */
  skipAfter?: Delay;
  /** Source position (1-based) of the step in its file, for error messages and the editor. */
  line?: number;
};

export interface ExitRules {
  /** Stop colleagues at the same account when one contact replies. */
  account: boolean;
  events: Array<{ event: string; where?: Match }>;
  dealStages: string[];
  fields: Array<{ path: string; op: FieldOp; value?: string | number | boolean | Array<string | number> }>;
}

export interface OnComplete {
  addTags?: string[];
  stage?: string;
  task?: { type: "call" | "linkedin" | "manual_email" | "task"; title?: string; note?: string };
  enroll?: { sequence: string; after: Delay };
}

export interface SequenceDefinition {
  id: string;
  name: string;
  description?: string;
  trigger?: Trigger;
  schedule: Schedule;
  /** `owner` = the contact owner's mailbox, else a mailbox id; default: workspace default. */
  mailbox?: string;
  tracking: { opens: boolean; clicks: boolean };
  /** Days an ex-enrollee must wait before enrolling again; null = never again. */
  reenroll: { afterDays: number | null };
  steps: Step[];
  exit: ExitRules;
  onComplete?: OnComplete;
}

/** The always-on exits, which no definition can switch off. */
export const ALWAYS_ON_EXITS = ["replied", "meeting_booked", "unsubscribed", "bounced"] as const;

export type ExitReason =
  | "replied"
  | "meeting_booked"
  | "unsubscribed"
  | "bounced"
  | "stage_changed"
  | "event"
  | "field"
  | "manual"
  | "account_replied"
  | "not_now";

export const DEFAULT_SCHEDULE: Schedule = {
  timezone: "contact",
  days: ["mon", "tue", "wed", "thu", "fri"],
  hours: [{ startMinute: 9 * 60, endMinute: 17 * 60 }],
  waits: "calendar",
};
