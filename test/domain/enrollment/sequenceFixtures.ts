// Builders for the enrollment tests: small definitions written as values (the state machine
// trusts a parsed definition, so tests hand it one directly), contacts, and pinned instants.

import { DateTime } from "luxon";
import type { DecideFacts, EventFact } from "../../../src/domain/enrollment/types.ts";
import type {
  Delay,
  Schedule,
  SequenceDefinition,
  Step,
  StepAction,
} from "../../../src/domain/sequence/definition.ts";

export const NEW_YORK = "America/New_York";
export const NONE: Delay = { kind: "none" };
export const days = (n: number, business = false): Delay => ({ kind: "days", days: n, business });
export const hours = (n: number): Delay => ({ kind: "hours", hours: n });

/** Mon–Fri 09:00–17:00 in the contact's zone, calendar waits. */
export const WEEKDAYS_9_TO_5: Schedule = {
  timezone: "contact",
  days: ["mon", "tue", "wed", "thu", "fri"],
  hours: [{ startMinute: 9 * 60, endMinute: 17 * 60 }],
  waits: "calendar",
};

export const ALWAYS_OPEN: Schedule = {
  timezone: "contact",
  days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
  hours: [{ startMinute: 0, endMinute: 24 * 60 }],
  waits: "calendar",
};

/** An instant written as local wall-clock time in a zone. */
export function local(iso: string, zone = NEW_YORK): number {
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) throw new Error(`bad test time ${iso}`);
  return dt.toMillis();
}

export function step(id: string, action: StepAction, extra: Partial<Omit<Step, "id">> = {}): Step {
  return { ...action, id, wait: NONE, ...extra } as Step;
}

export function email(
  id: string,
  extra: Partial<Omit<Step, "id">> = {},
  content: { subject?: string; body?: string; thread?: boolean } = {},
): Step {
  return step(
    id,
    {
      kind: "email",
      email: {
        subject: content.subject ?? `About ${id}, {{ contact.first_name }}`,
        body: content.body ?? "Hi {{ contact.first_name }}, a quick note.",
        format: "markdown",
        thread: content.thread ?? false,
      },
    },
    extra,
  );
}

export function sms(
  id: string,
  body = "Hi {{ contact.first_name }}",
  extra: Partial<Omit<Step, "id">> = {},
): Step {
  return step(id, { kind: "sms", sms: { body } }, extra);
}

export function call(
  id: string,
  extra: Partial<Omit<Step, "id">> = {},
  window?: { start: number; end: number },
): Step {
  return step(
    id,
    {
      kind: "call",
      call: {
        note: "Ask about {{ contact.title }}",
        ...(window ? { window: { startMinute: window.start, endMinute: window.end } } : {}),
      },
    },
    extra,
  );
}

export function sequence(steps: Step[], overrides: Partial<SequenceDefinition> = {}): SequenceDefinition {
  return {
    id: "test-sequence",
    name: "Test sequence",
    schedule: WEEKDAYS_9_TO_5,
    tracking: { opens: true, clicks: true },
    reenroll: { afterDays: null },
    steps,
    exit: { account: false, events: [], dealStages: [], fields: [] },
    ...overrides,
  };
}

export function facts(
  overrides: Partial<DecideFacts["contact"]> = {},
  more: Partial<Omit<DecideFacts, "contact">> = {},
): DecideFacts {
  return {
    contact: {
      id: "ct_1",
      email: "ada@example.com",
      first_name: "Ada",
      last_name: "Lovelace",
      title: "VP Sales",
      phone: "+12125550100",
      time_zone: NEW_YORK,
      lifecycle_stage: "lead",
      tags: [],
      fields: {},
      ...overrides,
    },
    account: { name: "Example Corp", domain: "example.com", fields: {} },
    deal: null,
    sender: { name: "Sam Rivera", email: "sam@nudge.example", signature: "Sam" },
    events: [],
    workspaceZone: "UTC",
    ...more,
  };
}

export function event(
  type: string,
  occurredAtUtcMs: number,
  data: Record<string, unknown> = {},
  extra: Partial<EventFact> = {},
): EventFact {
  return { type, occurredAtUtcMs, data, ...extra };
}

export function withEvents(base: DecideFacts, ...events: EventFact[]): DecideFacts {
  return { ...base, events: [...base.events, ...events] };
}
