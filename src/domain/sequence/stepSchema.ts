// The zod schema of one step: its id, wait and `next`, and exactly one action (email, sms, call,
// linkedin, voicemail, manual_email, task, wait_for, branch, update, webhook), read into `Step`.

import { z } from "zod";
import { checkKeys, readCondition, readMatch } from "./conditions.ts";
import type { Condition, EmailVariant, Step, StepAction } from "./definition.ts";
import {
  type ReadingContext,
  readBoolean,
  readChoice,
  readEventName,
  readList,
  readName,
  readNonEmptyText,
  readStepId,
  readStepOf,
  readTarget,
  readTemplate,
  readUrl,
  readWindow,
} from "./leaves.ts";
import { describeValue, INVALID, isRecord, type Problems, type Read, reader, setOwn } from "./problems.ts";
import { delayReader } from "./scheduleReaders.ts";
import {
  END_TARGET,
  SETTABLE_ATTRIBUTES,
  STEP_ACTIONS,
  STEP_EVENTS,
  type StepActionKey,
} from "./vocabulary.ts";

const template = (what = "text") => reader((v, p) => readTemplate(v, p, what));
const flag = reader(readBoolean);
const tags = reader((v, p) => readList(v, p, (item, at) => readNonEmptyText(item, at, "a tag")));

function variantSchema() {
  return z
    .strictObject({
      id: reader((v, p) => readName(v, p, "a variant id")),
      weight: reader((v, p): Read<number> => {
        if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
          return p.add(`expected a positive number, got ${describeValue(v)}`, {
            hint: "weights are relative: 50 and 50, or 1 and 1, split evenly",
          });
        }
        return v;
      }).optional(),
      subject: template("a subject").optional(),
      body: template("a body").optional(),
    })
    .transform((v, ctx): EmailVariant => {
      if (v.subject === undefined && v.body === undefined) {
        ctx.issues.push({
          code: "custom",
          input: v,
          message: `variant "${v.id}" changes nothing`,
          params: { hint: "give it its own subject, body, or both" },
        });
        return z.NEVER;
      }
      return {
        id: v.id,
        weight: v.weight ?? 1,
        ...(v.subject !== undefined ? { subject: v.subject } : {}),
        ...(v.body !== undefined ? { body: v.body } : {}),
      };
    });
}

const emailSchema = z
  .strictObject({
    subject: template("a subject").optional(),
    body: template("a body"),
    format: reader((v, p) => readChoice(v, p, ["markdown", "html"] as const, "a body format")).optional(),
    thread: flag.optional(),
    variants: z.array(variantSchema()).optional(),
  })
  .transform((e, ctx): StepAction & { kind: "email" } => {
    const thread = e.thread ?? false;
    if (!thread && e.subject === undefined) {
      ctx.issues.push({
        code: "custom",
        input: e,
        path: ["subject"],
        message: "an email that starts a new thread needs a `subject`",
        params: { hint: "add a subject, or `thread: true` to reply in the thread of the previous email" },
      });
      return z.NEVER;
    }
    const variants = e.variants ?? [];
    const seen = new Map<string, number>();
    for (const [i, variant] of variants.entries()) {
      const first = seen.get(variant.id);
      if (first !== undefined) {
        ctx.issues.push({
          code: "custom",
          input: e,
          path: ["variants", i, "id"],
          message: `variant id "${variant.id}" is used twice (also variants[${first}])`,
          params: { hint: "give each variant its own id: results are reported per variant" },
        });
        return z.NEVER;
      }
      seen.set(variant.id, i);
    }
    return {
      kind: "email",
      email: {
        ...(e.subject !== undefined ? { subject: e.subject } : {}),
        body: e.body,
        format: e.format ?? "markdown",
        thread,
        ...(variants.length > 0 ? { variants } : {}),
      },
    };
  });

const smsSchema = z
  .strictObject({ body: template("a text message") })
  .transform((s): StepAction => ({ kind: "sms", sms: { body: s.body } }));

const voicemailSchema = z
  .strictObject({ script: template("a script").optional(), audio_url: reader(readUrl).optional() })
  .transform((v, ctx): StepAction => {
    if ((v.script === undefined) === (v.audio_url === undefined)) {
      ctx.issues.push({
        code: "custom",
        input: v,
        ...(v.script !== undefined ? { path: ["audio_url"] } : {}),
        message:
          v.script === undefined
            ? "a voicemail needs a `script` (read by the rep) or an `audio_url` (a recording)"
            : "a voicemail has either a `script` or an `audio_url`, not both",
        params: v.script === undefined ? {} : { at: "key" },
      });
      return z.NEVER;
    }
    return {
      kind: "voicemail",
      voicemail: v.script !== undefined ? { script: v.script } : { audio_url: v.audio_url as string },
    };
  });

const callSchema = z
  .strictObject({ note: template("a note").optional(), window: reader(readWindow).optional() })
  .transform(
    (c): StepAction => ({
      kind: "call",
      call: { ...(c.note !== undefined ? { note: c.note } : {}), ...(c.window ? { window: c.window } : {}) },
    }),
  );

const linkedinSchema = z
  .strictObject({
    action: reader((v, p) => readChoice(v, p, ["connect", "message", "view"] as const, "a LinkedIn action")),
    note: template("a note").optional(),
  })
  .transform(
    (l): StepAction => ({
      kind: "linkedin",
      linkedin: { action: l.action, ...(l.note !== undefined ? { note: l.note } : {}) },
    }),
  );

const manualEmailSchema = z
  .strictObject({
    subject: template("a subject").optional(),
    body: template("a body"),
    note: template("a note").optional(),
  })
  .transform(
    (m): StepAction => ({
      kind: "manual_email",
      manual_email: {
        ...(m.subject !== undefined ? { subject: m.subject } : {}),
        body: m.body,
        ...(m.note !== undefined ? { note: m.note } : {}),
      },
    }),
  );

const taskSchema = z
  .strictObject({ title: template("a title"), note: template("a note").optional() })
  .transform(
    (t): StepAction => ({
      kind: "task",
      task: { title: t.title, ...(t.note !== undefined ? { note: t.note } : {}) },
    }),
  );

function waitForSchema(ctx: ReadingContext) {
  const target = reader((v, p) => readTarget(v, p, ctx));
  return z
    .strictObject({
      event: reader(readEventName),
      step: reader((v, p) =>
        readStepOf(v, p, ctx, ["email", "sms"], "only emails and texts have events to wait for"),
      ).optional(),
      where: reader(readMatch).optional(),
      timeout: reader(delayReader(ctx.businessWaits)),
      on_event: target.optional(),
      on_timeout: target.optional(),
    })
    .transform((w, zctx): StepAction => {
      if (w.step !== undefined) {
        const kinds = STEP_EVENTS.get(w.event);
        const stepKind = ctx.steps.get(w.step)?.kind;
        if (!kinds) {
          zctx.issues.push({
            code: "custom",
            input: w,
            path: ["step"],
            message: `\`step\` narrows email and text events, and "${w.event}" is not one`,
            params: { at: "key", hint: "remove `step`, or wait for e.g. email.clicked" },
          });
          return z.NEVER;
        }
        if (stepKind && !kinds.includes(stepKind)) {
          zctx.issues.push({
            code: "custom",
            input: w,
            path: ["step"],
            message: `"${w.event}" comes from ${kinds.join(" or ")} steps, and step "${w.step}" is ${stepKind === "email" ? "an" : "a"} ${stepKind}`,
            params: {
              hint: `wait for ${stepKind === "sms" ? "an sms" : "an email"} event instead, or name another step`,
            },
          });
          return z.NEVER;
        }
      }
      if (w.timeout.kind === "none") {
        zctx.issues.push({
          code: "custom",
          input: w,
          path: ["timeout"],
          message: "a wait_for with no timeout would never wait",
          params: { hint: 'give the event time to happen, e.g. "timeout: 3d"' },
        });
        return z.NEVER;
      }
      return {
        kind: "wait_for",
        wait_for: {
          event: w.event,
          ...(w.step !== undefined ? { step: w.step } : {}),
          ...(w.where !== undefined ? { where: w.where } : {}),
          timeoutDelay: w.timeout,
          ...(w.on_event !== undefined ? { onEvent: w.on_event } : {}),
          ...(w.on_timeout !== undefined ? { onTimeout: w.on_timeout } : {}),
        },
      };
    });
}

/** `- if: {…}` / `goto: id` entries and one final `- else: id`. */
function readBranch(value: unknown, problems: Problems, ctx: ReadingContext): Read<StepAction> {
  if (!Array.isArray(value)) {
    return problems.add(`expected a list of rules, got ${describeValue(value)}`, {
      hint: "write each rule as `- if: { … }` with `goto: <step>`, and end with `- else: <step>`",
    });
  }
  const rules: Array<{ if: Condition; goto: string }> = [];
  let elseTarget: Read<string> | undefined;
  let failed = false;
  value.forEach((entry, i) => {
    const at = problems.under(i);
    if (!isRecord(entry)) {
      at.add(`expected \`if:\` with \`goto:\`, or \`else:\`, got ${describeValue(entry)}`);
      failed = true;
      return;
    }
    if ("else" in entry) {
      if (!checkKeys(entry, ["else"], at)) failed = true;
      if (elseTarget !== undefined) {
        at.add("the branch has two `else` entries", {
          path: ["else"],
          at: "key",
          hint: "keep one, as the last entry",
        });
        failed = true;
        return;
      }
      if (i !== value.length - 1) {
        at.add("`else` must be the last entry: rules after it would never be checked", {
          path: ["else"],
          at: "key",
          hint: "move it to the end",
        });
        failed = true;
      }
      elseTarget = readTarget(entry.else, at.under("else"), ctx);
      if (elseTarget === INVALID) failed = true;
      return;
    }
    const keysOk = checkKeys(entry, ["if", "goto"], at);
    if (!("if" in entry)) {
      if (keysOk) at.add("the rule has no `if:`", { hint: "write `- if: { … }` and `goto: <step>`" });
      failed = true;
      return;
    }
    const condition = readCondition(entry.if, at.under("if"), ctx);
    const target =
      entry.goto === undefined
        ? at.add("the rule has no `goto:`", {
            path: ["if"],
            at: "key",
            hint: "say which step to go to: `goto: <step>`",
          })
        : readTarget(entry.goto, at.under("goto"), ctx);
    if (condition === INVALID || target === INVALID || !keysOk) failed = true;
    else rules.push({ if: condition, goto: target });
  });
  if (elseTarget === undefined) {
    return problems.add("the branch has no `else`", {
      hint: `end it with \`- else: <step>\` (or \`- else: ${END_TARGET}\`) so contacts who match no rule know where to go`,
    });
  }
  if (failed || elseTarget === INVALID) return INVALID;
  return { kind: "branch", branch: { rules, else: elseTarget } };
}

function readSet(value: unknown, problems: Problems): Read<Record<string, string | number | boolean | null>> {
  if (!isRecord(value)) {
    return problems.add(`expected a mapping of fields to values, got ${describeValue(value)}`, {
      hint: "e.g. set: { lifecycle_stage: sql, fields.score: 10 }",
    });
  }
  const out: Record<string, string | number | boolean | null> = {};
  let failed = false;
  for (const [key, v] of Object.entries(value)) {
    // `contact.title` and `title` are the same field; the engine stores the short form.
    const field = key.startsWith("contact.") ? key.slice("contact.".length) : key;
    const custom = field.startsWith("fields.") && field.length > "fields.".length;
    if (!custom && !SETTABLE_ATTRIBUTES.includes(field)) {
      problems.add(`\`${key}\` is not a field an update can set`, {
        path: [key],
        at: "key",
        hint: `set ${SETTABLE_ATTRIBUTES.join(", ")}, or a custom field as fields.${field.replace(/^fields\.?/, "") || "name"}`,
      });
      failed = true;
      continue;
    }
    if (
      v === null ||
      typeof v === "string" ||
      typeof v === "boolean" ||
      (typeof v === "number" && Number.isFinite(v))
    ) {
      setOwn(out, field, v);
    } else {
      problems.under(key).add(`expected a single value, got ${describeValue(v)}`);
      failed = true;
    }
  }
  return failed ? INVALID : out;
}

const updateSchema = z
  .strictObject({
    add_tags: tags.optional(),
    remove_tags: tags.optional(),
    set: reader(readSet).optional(),
    deal_stage: reader((v, p) => readNonEmptyText(v, p, "a deal stage")).optional(),
  })
  .transform((u, ctx): StepAction => {
    const hasChange =
      (u.add_tags?.length ?? 0) > 0 ||
      (u.remove_tags?.length ?? 0) > 0 ||
      Object.keys(u.set ?? {}).length > 0 ||
      u.deal_stage !== undefined;
    if (!hasChange) {
      ctx.issues.push({
        code: "custom",
        input: u,
        message: "the update changes nothing",
        params: { hint: "use add_tags, remove_tags, set or deal_stage" },
      });
      return z.NEVER;
    }
    return {
      kind: "update",
      update: {
        ...(u.add_tags?.length ? { addTags: u.add_tags } : {}),
        ...(u.remove_tags?.length ? { removeTags: u.remove_tags } : {}),
        ...(u.set && Object.keys(u.set).length > 0 ? { set: u.set } : {}),
        ...(u.deal_stage !== undefined ? { dealStage: u.deal_stage } : {}),
      },
    };
  });

const webhookSchema = z
  .strictObject({
    url: reader(readUrl),
    method: reader((v, p) => readChoice(v, p, ["POST", "PUT"] as const, "an HTTP method")).optional(),
    body: reader((v, p): Read<Record<string, unknown>> => {
      if (!isRecord(v)) return p.add(`expected a mapping (sent as JSON), got ${describeValue(v)}`);
      return v;
    }).optional(),
  })
  .transform(
    (w): StepAction => ({
      kind: "webhook",
      webhook: { url: w.url, method: w.method ?? "POST", ...(w.body !== undefined ? { body: w.body } : {}) },
    }),
  );

const TASK_KINDS: ReadonlySet<string> = new Set(["call", "linkedin", "manual_email", "task"]);

/** Keys of each action, so a key written at the step's level can be pointed to its action. */
export const ACTION_KEYS: Readonly<Record<StepActionKey, readonly string[]>> = {
  email: ["subject", "body", "format", "thread", "variants"],
  sms: ["body"],
  call: ["note", "window"],
  linkedin: ["action", "note"],
  voicemail: ["script", "audio_url"],
  manual_email: ["subject", "body", "note"],
  task: ["title", "note"],
  wait_for: ["event", "step", "where", "timeout", "on_event", "on_timeout"],
  branch: [],
  update: ["add_tags", "remove_tags", "set", "deal_stage"],
  webhook: ["url", "method", "body"],
};

export function stepSchema(ctx: ReadingContext) {
  return z
    .strictObject({
      id: reader(readStepId),
      wait: reader(delayReader(ctx.businessWaits)).optional(),
      next: reader((v, p) => readTarget(v, p, ctx)).optional(),
      skip_after: reader(delayReader(ctx.businessWaits)).optional(),
      email: emailSchema.optional(),
      sms: smsSchema.optional(),
      call: callSchema.optional(),
      linkedin: linkedinSchema.optional(),
      voicemail: voicemailSchema.optional(),
      manual_email: manualEmailSchema.optional(),
      task: taskSchema.optional(),
      wait_for: waitForSchema(ctx).optional(),
      branch: reader((v, p) => readBranch(v, p, ctx)).optional(),
      update: updateSchema.optional(),
      webhook: webhookSchema.optional(),
    })
    .transform((s, zctx): Step => {
      const present = STEP_ACTIONS.filter((key) => s[key] !== undefined);
      if (present.length !== 1) {
        // An unknown key is most likely the misspelt action; its own error says so already.
        if (present.length === 0 && zctx.issues.some((i) => i.code === "unrecognized_keys")) return z.NEVER;
        zctx.issues.push({
          code: "custom",
          input: s,
          ...(present.length > 1 ? { path: [present[1]!] } : {}),
          message:
            present.length === 0
              ? `step "${s.id}" does nothing`
              : `step "${s.id}" does ${present.length} things (${present.join(", ")}); a step does one`,
          params:
            present.length === 0
              ? { hint: `add one of ${STEP_ACTIONS.join(", ")}` }
              : { at: "key", hint: `split it into ${present.length} steps, each with its own id` },
        });
        return z.NEVER;
      }
      const action = s[present[0]!] as StepAction;
      if (action.kind === "branch" && s.next !== undefined) {
        zctx.issues.push({
          code: "custom",
          input: s,
          path: ["next"],
          message: "a branch goes where its rules say, so `next` would never be used",
          params: { at: "key", hint: "remove `next`; use `- else: <step>` for the default" },
        });
        return z.NEVER;
      }
      if (s.skip_after !== undefined && !TASK_KINDS.has(action.kind)) {
        zctx.issues.push({
          code: "custom",
          input: s,
          path: ["skip_after"],
          message: `\`skip_after\` closes an undone rep task, and step "${s.id}" is not a task (${action.kind})`,
          params: { at: "key", hint: "use it on call, linkedin, manual_email or task steps" },
        });
        return z.NEVER;
      }
      if (s.skip_after?.kind === "none") {
        zctx.issues.push({
          code: "custom",
          input: s,
          path: ["skip_after"],
          message: "`skip_after: 0` would skip the task the moment it is created",
          params: { hint: 'give the rep time, e.g. "skip_after: 24h", or remove it to wait for the rep' },
        });
        return z.NEVER;
      }
      return {
        ...action,
        id: s.id,
        wait: s.wait ?? { kind: "none" },
        ...(s.next !== undefined ? { next: s.next } : {}),
        ...(s.skip_after !== undefined ? { skipAfter: s.skip_after } : {}),
      };
    });
}

/** The action a raw step names, for reading references before the steps themselves are read. */
export function actionOf(step: Record<string, unknown>): StepActionKey | null {
  return STEP_ACTIONS.find((key) => key in step) ?? null;
}
