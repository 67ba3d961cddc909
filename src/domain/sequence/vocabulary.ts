// The words a sequence file is written in beyond its keys: step actions, event names Nudge knows,
// weekdays, contact attributes an `update` may set, and "did you mean" suggestions for all of them.

import type { StepKind, Weekday } from "./definition.ts";
import { closestWord } from "./suggest.ts";

/** The key that names what a step does, in the order the docs list them. */
export const STEP_ACTIONS = [
  "email",
  "sms",
  "call",
  "linkedin",
  "voicemail",
  "manual_email",
  "task",
  "wait_for",
  "branch",
  "update",
  "webhook",
] as const satisfies readonly StepKind[];

export type StepActionKey = (typeof STEP_ACTIONS)[number];

/** The target that completes the sequence instead of naming a step. */
export const END_TARGET = "end";

/**
 * Events Nudge itself records or is commonly sent. Other names are allowed (a CRM or app may send
 * anything); a name one typo away from one of these is flagged, since it would never match.
 */
export const KNOWN_EVENTS: readonly string[] = [
  "email.sent",
  "email.delivered",
  "email.opened",
  "email.clicked",
  "email.replied",
  "email.bounced",
  "email.unsubscribed",
  "sms.sent",
  "sms.replied",
  "sms.unsubscribed",
  "call.received",
  "reply.received",
  "reply.auto_reply",
  "meeting.booked",
  "meeting.canceled",
  "deal.stage_changed",
  "contact.created",
  "contact.updated",
  "contact.unsubscribed",
  "contact.inactive",
  "account.replied",
  "task.completed",
  "form.submitted",
  "page.visited",
  "enrollment.started",
  "enrollment.exited",
  "sequence.completed",
];

/** Events that end every enrollment on their own (always-on exits), so waiting for them is moot. */
export const ALWAYS_ON_EXIT_EVENTS: ReadonlyMap<string, string> = new Map([
  ["email.replied", "replied"],
  ["reply.received", "replied"],
  ["sms.replied", "replied"],
  ["call.received", "replied"],
  ["meeting.booked", "meeting_booked"],
  ["contact.unsubscribed", "unsubscribed"],
  ["email.unsubscribed", "unsubscribed"],
  ["email.bounced", "bounced"],
]);

/** Events about one email or text a step sent, which `step:` can narrow down. */
export const STEP_EVENTS: ReadonlyMap<string, readonly StepKind[]> = new Map<string, readonly StepKind[]>([
  ["email.sent", ["email"]],
  ["email.delivered", ["email"]],
  ["email.opened", ["email"]],
  ["email.clicked", ["email"]],
  ["email.replied", ["email"]],
  ["email.bounced", ["email"]],
  ["sms.sent", ["sms"]],
  ["sms.replied", ["sms"]],
]);

export const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

const DAY_NAMES: Readonly<Record<string, Weekday>> = {
  mon: "mon",
  monday: "mon",
  tue: "tue",
  tues: "tue",
  tuesday: "tue",
  wed: "wed",
  weds: "wed",
  wednesday: "wed",
  thu: "thu",
  thur: "thu",
  thurs: "thu",
  thursday: "thu",
  fri: "fri",
  friday: "fri",
  sat: "sat",
  saturday: "sat",
  sun: "sun",
  sunday: "sun",
};

/** Whole-week phrases accepted for `schedule.days`. */
export const DAY_SETS: Readonly<Record<string, readonly Weekday[]>> = {
  weekdays: ["mon", "tue", "wed", "thu", "fri"],
  workdays: ["mon", "tue", "wed", "thu", "fri"],
  weekends: ["sat", "sun"],
  "every day": WEEKDAYS,
  everyday: WEEKDAYS,
  daily: WEEKDAYS,
  all: WEEKDAYS,
};

export function weekdayOf(word: string): Weekday | null {
  return DAY_NAMES[word.trim().toLowerCase()] ?? null;
}

export function closestDayWord(word: string): string | null {
  return closestWord(word.trim().toLowerCase(), [...Object.keys(DAY_NAMES), ...Object.keys(DAY_SETS)]);
}

/** Contact attributes an `update` step may set; everything else is a custom field, `fields.<name>`. */
export const SETTABLE_ATTRIBUTES: readonly string[] = [
  "first_name",
  "last_name",
  "title",
  "phone",
  "time_zone",
  "lifecycle_stage",
];

/** Lower-case slug: what sequence ids are, since they show up in URLs and CLI arguments. */
export const SEQUENCE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Step ids are referenced by `goto`, `next` and conditions, and stored with every touch. */
export const STEP_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export const MAX_ID_LENGTH = 64;

/** "Inbound Demo (EMEA)" → "inbound-demo-emea": the id a name or file would suggest. */
export function slugOf(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_ID_LENGTH)
    .replace(/-+$/, "");
}
