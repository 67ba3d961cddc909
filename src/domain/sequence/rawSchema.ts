// The zod schema of a whole sequence file: strict objects (an unknown key is an error), with each
// value read by a hand-written reader, producing a `SequenceDefinition` when nothing is wrong.

import { z } from "zod";
import { checkKeys, type FieldTest, readFieldTest, readMatch } from "./conditions.ts";
import {
  DEFAULT_SCHEDULE,
  type ExitRules,
  type Match,
  type OnComplete,
  type Schedule,
  type SequenceDefinition,
  type Trigger,
} from "./definition.ts";
import {
  type ReadingContext,
  readBoolean,
  readChoice,
  readEventName,
  readList,
  readNonEmptyText,
  readSequenceId,
  readTemplate,
  readText,
} from "./leaves.ts";
import { describeValue, INVALID, isRecord, type Problems, type Read, reader } from "./problems.ts";
import {
  delayReader,
  readDays,
  readHolidayCalendar,
  readHours,
  readReenroll,
  readTimeZone,
} from "./scheduleReaders.ts";
import { stepSchema } from "./stepSchema.ts";

const text = (what: string) => reader((v, p) => readNonEmptyText(v, p, what));
const names = (what: string) =>
  reader((v, p) => readList(v, p, (item, at) => readNonEmptyText(item, at, what)));

const TRIGGER_EXAMPLE = "trigger: { event: form.submitted, where: { form: demo-request } }";

function readTrigger(value: unknown, problems: Problems): Read<Trigger> {
  if (typeof value === "string") {
    const event = readEventName(value, problems);
    if (event === INVALID) return INVALID;
    if (event === "contact.inactive") {
      return problems.add("contact.inactive needs a number of days", {
        hint: "trigger: { event: contact.inactive, days: 30 }",
      });
    }
    return { event };
  }
  if (!isRecord(value))
    return problems.add(`expected a trigger, got ${describeValue(value)}`, { hint: TRIGGER_EXAMPLE });
  const keysOk = checkKeys(value, ["event", "where", "days"], problems);
  if (value.event === undefined) return problems.add("the trigger has no `event`", { hint: TRIGGER_EXAMPLE });
  const event = readEventName(value.event, problems.under("event"));
  const where = value.where === undefined ? undefined : readMatch(value.where, problems.under("where"));
  if (event === INVALID || where === INVALID || !keysOk) return INVALID;
  const withWhere = (t: Trigger): Trigger => (where === undefined ? t : { ...t, where });
  if (event !== "contact.inactive") {
    if (value.days !== undefined) {
      return problems.add("`days` only applies to `event: contact.inactive`", { path: ["days"], at: "key" });
    }
    return withWhere({ event });
  }
  if (value.days === undefined) {
    return problems.add("contact.inactive needs `days`: how long without activity", {
      path: ["event"],
      hint: "e.g. days: 30",
    });
  }
  const days = readInactiveDays(value.days, problems.under("days"));
  if (days === INVALID) return INVALID;
  return withWhere({ event: "contact.inactive", days });
}

function readInactiveDays(value: unknown, problems: Problems): Read<number> {
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  if (typeof value === "string") {
    const m = /^(\d+)\s*(?:d|days?)$/i.exec(value.trim());
    if (m && Number(m[1]) > 0) return Number(m[1]);
  }
  return problems.add(`expected a whole number of days, got ${describeValue(value)}`, {
    hint: "e.g. days: 30",
  });
}

function readTracking(value: unknown, problems: Problems): Read<{ opens: boolean; clicks: boolean }> {
  if (typeof value === "boolean") return { opens: value, clicks: value };
  if (!isRecord(value)) {
    return problems.add(`expected tracking settings, got ${describeValue(value)}`, {
      hint: "e.g. tracking: { opens: false, clicks: true }",
    });
  }
  const keysOk = checkKeys(value, ["opens", "clicks"], problems);
  const opens = value.opens === undefined ? false : readBoolean(value.opens, problems.under("opens"));
  const clicks = value.clicks === undefined ? false : readBoolean(value.clicks, problems.under("clicks"));
  if (opens === INVALID || clicks === INVALID || !keysOk) return INVALID;
  return { opens, clicks };
}

const scheduleSchema = z
  .strictObject({
    timezone: reader(readTimeZone).optional(),
    days: reader(readDays).optional(),
    hours: reader(readHours).optional(),
    holidays: reader(readHolidayCalendar).optional(),
    waits: reader((v, p) => readChoice(v, p, ["calendar", "business"] as const, "a kind of wait")).optional(),
  })
  .transform(
    (s): Schedule => ({
      timezone: s.timezone ?? DEFAULT_SCHEDULE.timezone,
      days: s.days ?? [...DEFAULT_SCHEDULE.days],
      hours: s.hours ?? DEFAULT_SCHEDULE.hours.map((h) => ({ ...h })),
      ...(s.holidays ? { holidays: s.holidays } : {}),
      waits: s.waits ?? DEFAULT_SCHEDULE.waits,
    }),
  );

/** The exits every sequence has; `true` is accepted for readability, `false` is refused. */
const alwaysOn = (name: string, why: string) =>
  reader((v, p): Read<true> => {
    if (v === true) return true;
    return p.add(`\`${name}\` is an always-on exit and cannot be switched off`, {
      hint: `${why}; remove this line (every sequence stops on a reply, a booked meeting, an unsubscribe and a bounce)`,
    });
  }).optional();

function readExitEvent(value: unknown, problems: Problems): Read<{ event: string; where?: Match }> {
  if (typeof value === "string") {
    const event = readEventName(value, problems);
    return event === INVALID ? INVALID : { event };
  }
  if (!isRecord(value)) {
    return problems.add(`expected an event, got ${describeValue(value)}`, {
      hint: "e.g. - { event: deal.stage_changed, where: { to: closed_won } }",
    });
  }
  const keysOk = checkKeys(value, ["event", "where"], problems);
  if (value.event === undefined)
    return problems.add("the exit has no `event`", { hint: "e.g. event: page.visited" });
  const event = readEventName(value.event, problems.under("event"));
  const where = value.where === undefined ? undefined : readMatch(value.where, problems.under("where"));
  if (event === INVALID || where === INVALID || !keysOk) return INVALID;
  return where === undefined ? { event } : { event, where };
}

function readExitField(value: unknown, problems: Problems): Read<FieldTest> {
  if (!isRecord(value)) {
    return problems.add(`expected a field test, got ${describeValue(value)}`, {
      hint: "e.g. - { field: contact.lifecycle_stage, equals: customer }",
    });
  }
  if (value.field === undefined) {
    return problems.add("the test has no `field`", {
      hint: "e.g. - { field: contact.lifecycle_stage, equals: customer }",
    });
  }
  return readFieldTest(value, problems, []);
}

const exitSchema = z
  .strictObject({
    account: reader(readBoolean).optional(),
    events: reader((v, p) => readList(v, p, readExitEvent)).optional(),
    deal_stages: names("a deal stage").optional(),
    fields: reader((v, p) => readList(v, p, readExitField)).optional(),
    replied: alwaysOn("replied", "Nudge never follows up automatically on someone who answered"),
    meeting_booked: alwaysOn("meeting_booked", "a booked meeting means a person takes over"),
    unsubscribed: alwaysOn("unsubscribed", "an opt-out must be honoured"),
    bounced: alwaysOn("bounced", "a dead address cannot receive the next touch"),
  })
  .transform(
    (e): ExitRules => ({
      account: e.account ?? false,
      events: e.events ?? [],
      dealStages: e.deal_stages ?? [],
      fields: e.fields ?? [],
    }),
  );

function onCompleteSchema(ctx: ReadingContext) {
  return z
    .strictObject({
      add_tags: names("a tag").optional(),
      stage: text("a lifecycle stage").optional(),
      task: z
        .strictObject({
          type: reader((v, p) =>
            readChoice(v, p, ["call", "linkedin", "manual_email", "task"] as const, "a kind of task"),
          ),
          title: reader((v, p) => readTemplate(v, p, "a title")).optional(),
          note: reader((v, p) => readTemplate(v, p, "a note")).optional(),
        })
        .optional(),
      enroll: z
        .strictObject({
          sequence: reader(readSequenceId),
          after: reader(delayReader(ctx.businessWaits)).optional(),
        })
        .optional(),
    })
    .transform(
      (c): OnComplete => ({
        ...(c.add_tags?.length ? { addTags: c.add_tags } : {}),
        ...(c.stage !== undefined ? { stage: c.stage } : {}),
        ...(c.task
          ? {
              task: {
                type: c.task.type,
                ...(c.task.title !== undefined ? { title: c.task.title } : {}),
                ...(c.task.note !== undefined ? { note: c.task.note } : {}),
              },
            }
          : {}),
        ...(c.enroll
          ? { enroll: { sequence: c.enroll.sequence, after: c.enroll.after ?? { kind: "none" } } }
          : {}),
      }),
    );
}

export function sequenceSchema(ctx: ReadingContext) {
  return z
    .strictObject({
      id: reader(readSequenceId),
      name: text("a name").optional(),
      description: reader((v, p) => readText(v, p)).optional(),
      trigger: reader(readTrigger).optional(),
      schedule: scheduleSchema.optional(),
      mailbox: text("a mailbox").optional(),
      tracking: reader(readTracking).optional(),
      reenroll: reader(readReenroll).optional(),
      steps: z.array(stepSchema(ctx)).min(1),
      exit: exitSchema.optional(),
      on_complete: onCompleteSchema(ctx).optional(),
    })
    .transform((s, zctx): SequenceDefinition => {
      const reenroll = s.reenroll ?? { afterDays: null };
      if (s.on_complete?.enroll?.sequence === s.id && reenroll.afterDays === null) {
        zctx.issues.push({
          code: "custom",
          input: s,
          path: ["on_complete", "enroll", "sequence"],
          message: `on_complete enrolls contacts into "${s.id}" again, but \`reenroll\` is never`,
          params: {
            hint: 'allow it with e.g. "reenroll: after 90 days", or enroll them into another sequence',
          },
        });
        return z.NEVER;
      }
      const description = s.description?.trim();
      return {
        id: s.id,
        name: s.name ?? s.id,
        ...(description ? { description } : {}),
        ...(s.trigger ? { trigger: s.trigger } : {}),
        schedule: s.schedule ?? {
          ...DEFAULT_SCHEDULE,
          days: [...DEFAULT_SCHEDULE.days],
          hours: [...DEFAULT_SCHEDULE.hours],
        },
        ...(s.mailbox !== undefined ? { mailbox: s.mailbox } : {}),
        tracking: s.tracking ?? { opens: false, clicks: false },
        reenroll,
        steps: s.steps,
        exit: s.exit ?? { account: false, events: [], dealStages: [], fields: [] },
        ...(s.on_complete && Object.keys(s.on_complete).length > 0 ? { onComplete: s.on_complete } : {}),
      };
    });
}

export type SequenceSchema = ReturnType<typeof sequenceSchema>;
