import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_SCHEDULE } from "../../../src/domain/sequence/definition.ts";
import {
  formatDefinitionError,
  formatDefinitionWarning,
  parseSequence,
  parseSequenceJson,
} from "../../../src/domain/sequence/parseSequence.ts";
import { definitionOf, errorsOf, sequenceText } from "./sequenceText.ts";

const ONE_EMAIL = `  - id: intro\n    email: { subject: Hi, body: Hello }\n`;

/** The one error of a file, as `line:column path: message; hint`. */
function onlyError(text: string): string {
  const errors = errorsOf(text);
  const lines = errors.map(
    (e) => `${e.line}:${e.column} ${e.path}: ${e.message}${e.hint ? `; ${e.hint}` : ""}`,
  );
  expect(lines, lines.join("\n")).toHaveLength(1);
  return lines[0]!;
}

describe("defaults", () => {
  it("fills in everything a minimal file leaves out", () => {
    const def = definitionOf(`id: minimal\nsteps:\n${ONE_EMAIL}`);
    expect(def).toEqual({
      id: "minimal",
      name: "minimal",
      schedule: DEFAULT_SCHEDULE,
      tracking: { opens: false, clicks: false },
      reenroll: { afterDays: null },
      exit: { account: false, events: [], dealStages: [], fields: [] },
      steps: [
        {
          id: "intro",
          kind: "email",
          wait: { kind: "none" },
          line: 3,
          email: { subject: "Hi", body: "Hello", format: "markdown", thread: false },
        },
      ],
    });
  });

  it("reads JSON as well as YAML, with positions", () => {
    const json = JSON.stringify(
      { id: "json-seq", steps: [{ id: "intro", email: { subject: "Hi", body: "Hello" } }] },
      null,
      2,
    );
    const def = definitionOf(json);
    expect(def.steps[0]).toMatchObject({ id: "intro", line: 4 });
    const broken = json.replace('"Hello"', '"Hello {{ contact.frist_name }}"');
    expect(onlyError(broken)).toMatch(
      /^8:27 steps\[0\]\.email\.body: contact\.frist_name is not a merge field/,
    );
  });
});

describe("schedule", () => {
  const schedule = (yaml: string) => definitionOf(sequenceText(ONE_EMAIL, `schedule:\n${yaml}`)).schedule;

  it.each([
    ["weekdays", ["mon", "tue", "wed", "thu", "fri"]],
    ["every day", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]],
    ["mon-thu", ["mon", "tue", "wed", "thu"]],
    ['"Mon, Wed, Friday"', ["mon", "wed", "fri"]],
    ["[thursday, tue, tue]", ["tue", "thu"]],
    ["[fri-mon]", ["mon", "fri", "sat", "sun"]],
  ])("reads days: %s", (days, expected) => {
    expect(schedule(`  days: ${days}\n`).days).toEqual(expected);
  });

  it("reads one window or several, sorted", () => {
    expect(schedule('  hours: "9am-5pm"\n').hours).toEqual([{ startMinute: 540, endMinute: 1020 }]);
    expect(schedule('  hours: ["13:00-17:00", "09:00-12:00"]\n').hours).toEqual([
      { startMinute: 540, endMinute: 720 },
      { startMinute: 780, endMinute: 1020 },
    ]);
  });

  it("rejects overlapping windows and offers the merged one", () => {
    expect(onlyError(sequenceText(ONE_EMAIL, 'schedule:\n  hours: ["09:00-13:00", "12:00-17:00"]\n'))).toBe(
      '5:26 schedule.hours[1]: "12:00-17:00" overlaps "09:00-13:00"; merge them into "09:00-17:00"',
    );
  });

  it("normalises the zone's spelling and the holiday calendar's case", () => {
    expect(schedule("  timezone: america/new_york\n  holidays: us\n")).toMatchObject({
      timezone: "America/New_York",
      holidays: "US",
    });
    expect(schedule("  holidays: none\n").holidays).toBeUndefined();
  });

  it("counts plain days as business days under waits: business", () => {
    const def = definitionOf(
      sequenceText(
        `${ONE_EMAIL}  - id: two\n    wait: 3d\n    task: { title: Call }\n  - id: three\n    wait: 2 calendar days\n    task: { title: Call }\n`,
        "schedule: { waits: business }\n",
      ),
    );
    expect(def.steps[1]?.wait).toEqual({ kind: "days", days: 3, business: true });
    expect(def.steps[2]?.wait).toEqual({ kind: "days", days: 2, business: false });
  });

  it("suggests the day a typo meant", () => {
    expect(onlyError(sequenceText(ONE_EMAIL, "schedule: { days: [mon, thrusday] }\n"))).toContain(
      'did you mean "thursday"?',
    );
  });
});

describe("reenroll", () => {
  it.each([
    ["never", null],
    ['"after 90 days"', 90],
    ["90d", 90],
    ["{ after: 2 weeks }", 14],
    ["always", 0],
  ])("reads reenroll: %s", (written, afterDays) => {
    expect(definitionOf(sequenceText(ONE_EMAIL, `reenroll: ${written}\n`)).reenroll).toEqual({ afterDays });
  });

  it("counts re-enrollment in calendar days even under waits: business", () => {
    const def = definitionOf(
      sequenceText(ONE_EMAIL, "schedule: { waits: business }\nreenroll: after 30 days\n"),
    );
    expect(def.reenroll).toEqual({ afterDays: 30 });
  });

  it("refuses hours", () => {
    expect(onlyError(sequenceText(ONE_EMAIL, "reenroll: after 3 hours\n"))).toContain(
      "counted in whole days",
    );
  });
});

describe("trigger", () => {
  const trigger = (yaml: string) => definitionOf(sequenceText(ONE_EMAIL, `trigger: ${yaml}\n`)).trigger;

  it("reads an event name alone, or with a where match", () => {
    expect(trigger("form.submitted")).toEqual({ event: "form.submitted" });
    expect(
      trigger(
        "{ event: page.visited, where: { url: { contains: /pricing }, visits: { gte: 3 }, plan: [pro, team] } }",
      ),
    ).toEqual({
      event: "page.visited",
      where: { url: { contains: "/pricing" }, visits: { gte: 3 }, plan: { in: ["pro", "team"] } },
    });
  });

  it("reads contact.inactive with its days", () => {
    expect(trigger("{ event: contact.inactive, days: 30 }")).toEqual({ event: "contact.inactive", days: 30 });
    expect(onlyError(sequenceText(ONE_EMAIL, "trigger: { event: contact.inactive }\n"))).toContain(
      "needs `days`",
    );
    expect(onlyError(sequenceText(ONE_EMAIL, "trigger: { event: form.submitted, days: 3 }\n"))).toContain(
      "`days` only applies to `event: contact.inactive`",
    );
  });

  it("suggests the operator a typo meant, at the operator", () => {
    expect(
      onlyError(
        sequenceText(ONE_EMAIL, "trigger: { event: page.visited, where: { url: { contians: x } } }\n"),
      ),
    ).toBe(
      "4:49 trigger.where.url.contians: unknown key `contians` in trigger.where.url; did you mean `contains`?",
    );
  });

  it("takes one operator per key", () => {
    expect(
      onlyError(sequenceText(ONE_EMAIL, "trigger: { event: e.x, where: { n: { gte: 1, lte: 5 } } }\n")),
    ).toContain("has 2 operators (gte, lte); a match takes one");
  });
});

describe("steps", () => {
  const stepOf = (yaml: string) => definitionOf(sequenceText(`${ONE_EMAIL}${yaml}`)).steps[1];

  it("reads every kind of condition", () => {
    const step = stepOf(`  - id: split
    branch:
      - if: { opened: intro }
        goto: end
      - if: { clicked: intro, url: "*pricing*" }
        goto: end
      - if: { field: contact.title, contains: VP }
        goto: end
      - if: { field: fields.score, gt: 10 }
        goto: end
      - if: { field: phone, exists: false }
        goto: end
      - if: { tag: enterprise }
        goto: end
      - if: { event: page.visited, where: { url: { contains: pricing } } }
        goto: end
      - if: { all: [ { opened: intro }, { not: { tag: customer } } ] }
        goto: end
      - else: end
`);
    expect(step?.kind === "branch" && step.branch.rules.map((r) => r.if)).toEqual([
      { kind: "opened", step: "intro" },
      { kind: "clicked", step: "intro", url: "*pricing*" },
      { kind: "field", path: "contact.title", op: "contains", value: "VP" },
      { kind: "field", path: "fields.score", op: "gt", value: 10 },
      { kind: "field", path: "phone", op: "missing" },
      { kind: "tag", tag: "enterprise" },
      { kind: "event", event: "page.visited", where: { url: { contains: "pricing" } } },
      {
        kind: "all",
        of: [
          { kind: "opened", step: "intro" },
          { kind: "not", of: { kind: "tag", tag: "customer" } },
        ],
      },
    ]);
  });

  it.each([
    ["{ tag: a, opened: intro }", "one condition per entry"],
    ["{ field: title }", "has no operator"],
    ["{ field: title, equals: a, contains: b }", "a field test takes one operator"],
    ["{ not: [ { tag: a } ] }", "`not` takes one condition"],
    ["{}", "the condition is empty"],
    ["{ taag: vip }", "did you mean `tag`?"],
    ["{ replied: false }", "not: { replied: true }"],
  ])("rejects the condition %s", (condition, says) => {
    const text = sequenceText(
      `${ONE_EMAIL}  - id: split\n    branch:\n      - if: ${condition}\n        goto: end\n      - else: end\n`,
    );
    expect(onlyError(text)).toContain(says);
  });

  it("reads an update, with contact. prefixes dropped and one tag as a list", () => {
    const step = stepOf(
      "  - id: tag\n    update: { add_tags: hot, remove_tags: [cold], set: { contact.title: VP, fields.score: 10 }, deal_stage: qualified }\n",
    );
    expect(step).toMatchObject({
      kind: "update",
      update: {
        addTags: ["hot"],
        removeTags: ["cold"],
        set: { title: "VP", "fields.score": 10 },
        dealStage: "qualified",
      },
    });
  });

  it("refuses an update of a field the engine cannot set", () => {
    expect(
      onlyError(sequenceText(`${ONE_EMAIL}  - id: tag\n    update: { set: { score: 10 } }\n`)),
    ).toContain("fields.score");
    expect(onlyError(sequenceText(`${ONE_EMAIL}  - id: tag\n    update: { add_tags: [] }\n`))).toContain(
      "the update changes nothing",
    );
  });

  it("reads a webhook, POST by default", () => {
    expect(
      stepOf("  - id: hook\n    webhook: { url: https://example.com/hook, body: { a: 1 } }\n"),
    ).toMatchObject({
      webhook: { url: "https://example.com/hook", method: "POST", body: { a: 1 } },
    });
    expect(
      stepOf("  - id: hook\n    webhook: { url: https://example.com/hook, method: put }\n"),
    ).toMatchObject({
      webhook: { method: "PUT" },
    });
    expect(
      onlyError(sequenceText(`${ONE_EMAIL}  - id: hook\n    webhook: { url: example.com/hook }\n`)),
    ).toContain('write the scheme too: "https://example.com/hook"');
  });

  it("reads a wait_for with its outcomes", () => {
    const step = stepOf(
      "  - id: watch\n    wait_for: { event: email.clicked, step: intro, timeout: 3d, on_event: end, on_timeout: end }\n",
    );
    expect(step).toMatchObject({
      kind: "wait_for",
      wait_for: {
        event: "email.clicked",
        step: "intro",
        timeoutDelay: { kind: "days", days: 3, business: false },
        onEvent: "end",
        onTimeout: "end",
      },
    });
    expect(
      onlyError(
        sequenceText(
          `${ONE_EMAIL}  - id: watch\n    wait_for: { event: form.submitted, step: intro, timeout: 3d }\n`,
        ),
      ),
    ).toContain("`step` narrows email and text events");
  });

  it("reads email variants with a default weight", () => {
    const step = stepOf(
      "  - id: ab\n    wait: 2d\n    email:\n      subject: A\n      body: Hello\n      format: HTML\n      variants:\n        - { id: b, subject: B }\n",
    );
    expect(step).toMatchObject({
      email: { format: "html", variants: [{ id: "b", weight: 1, subject: "B" }] },
    });
  });

  it.each([
    ["  - id: end\n    task: { title: x }\n", '"end" cannot be a step id'],
    ["  - id: my step\n    task: { title: x }\n", 'e.g. "my-step"'],
    ["  - task: { title: x }\n", "each step needs `id`"],
    ["  - id: li\n    linkedin: { action: conect }\n", 'did you mean "connect"?'],
    [
      "  - id: vm\n    voicemail: { script: a, audio_url: https://x.test/a.mp3 }\n",
      "either a `script` or an `audio_url`",
    ],
    ["  - id: nothing\n    wait: 1d\n", 'step "nothing" does nothing'],
    ["  - id: sub\n    subject: Hi\n", "`subject` belongs inside the step's action"],
    ["  - id: b\n    branch:\n      - else: end\n    next: intro\n", "`next` would never be used"],
    ["  - id: q\n    email:\n      subject: {{ contact.first_name }}\n      body: hi\n", "must be quoted"],
  ])("rejects %j", (step, says) => {
    expect(onlyError(sequenceText(`${ONE_EMAIL}${step}`))).toContain(says);
  });

  it("accepts `end` in any case as a target", () => {
    expect(
      definitionOf(sequenceText(`  - id: intro\n    email: { subject: Hi, body: Hello }\n    next: END\n`))
        .steps[0]?.next,
    ).toBe("end");
  });
});

describe("exits and on_complete", () => {
  it("reads exit rules in their short and long forms", () => {
    const def = definitionOf(
      sequenceText(
        ONE_EMAIL,
        "exit:\n  account: true\n  replied: true\n  events: [page.visited, { event: deal.stage_changed, where: { to: { in: [won, lost] } } }]\n  deal_stages: closed_won\n  fields: [ { field: contact.lifecycle_stage, equals: customer } ]\n",
      ),
    );
    expect(def.exit).toEqual({
      account: true,
      events: [
        { event: "page.visited" },
        { event: "deal.stage_changed", where: { to: { in: ["won", "lost"] } } },
      ],
      dealStages: ["closed_won"],
      fields: [{ path: "contact.lifecycle_stage", op: "equals", value: "customer" }],
    });
  });

  it("reads on_complete", () => {
    const def = definitionOf(
      sequenceText(
        ONE_EMAIL,
        "reenroll: after 90 days\non_complete:\n  add_tags: [done]\n  stage: nurture\n  task: { type: manual_email, note: Close the loop }\n  enroll: { sequence: test-seq, after: 90d }\n",
      ),
    );
    expect(def.onComplete).toEqual({
      addTags: ["done"],
      stage: "nurture",
      task: { type: "manual_email", note: "Close the loop" },
      enroll: { sequence: "test-seq", after: { kind: "days", days: 90, business: false } },
    });
  });

  it("refuses to enroll into itself when re-enrollment is never allowed", () => {
    expect(onlyError(sequenceText(ONE_EMAIL, "on_complete: { enroll: { sequence: test-seq } }\n"))).toContain(
      "but `reenroll` is never",
    );
  });

  it.each(["meeting_booked", "unsubscribed", "bounced"])("refuses to switch off %s", (exit) => {
    expect(onlyError(sequenceText(ONE_EMAIL, `exit: { ${exit}: false }\n`))).toContain("always-on exit");
  });
});

describe("the file as a whole", () => {
  it.each([
    ["", "1:1 : the file is empty"],
    ["- a\n- b\n", "1:1 : a sequence file is a mapping of keys"],
    ["id: x\nsteps:\n\t- id: a\n", "3:1 : Tabs are not allowed"],
    ["id: x\n---\nid: y\n", "2:1 : the file holds more than one YAML document"],
  ])("rejects %j", (text, says) => {
    expect(onlyError(text)).toContain(says);
  });

  it("reports a repeated key and keeps checking the rest", () => {
    const lines = errorsOf(
      `id: dup\nname: A\nname: B\nsteps:\n  - id: a\n    wait: soon\n    task: { title: x }\n`,
    ).map((e) => `${e.line}:${e.column} ${e.message}`);
    expect(lines).toEqual([
      "3:1 the key `name` appears twice in the same mapping",
      '6:11 "soon" is not a duration',
    ]);
  });

  it("suggests the key an unknown top-level key stands for", () => {
    expect(onlyError(`id: x\nexits: { account: true }\nsteps:\n${ONE_EMAIL}`)).toBe(
      "2:1 exits: unknown key `exits` at the top level; did you mean `exit`?",
    );
  });
});

describe("parseSequenceJson", () => {
  it("validates a value with the same rules and no positions", () => {
    const result = parseSequenceJson(
      { id: "api", steps: [{ id: "a", email: { subject: "Hi", body: "Hello" }, next: "b" }] },
      "api",
    );
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toEqual([
      {
        file: "api",
        line: 0,
        column: 0,
        path: "steps[0].next",
        message: 'there is no step "b"',
        hint: 'step ids are "a", or `end` to finish the sequence',
      },
    ]);
    expect(formatDefinitionError(errors[0]!)).toBe(
      'api steps[0].next: there is no step "b"; step ids are "a", or `end` to finish the sequence',
    );
  });

  it("returns the same definition as the text form, without lines", () => {
    const value = { id: "api", steps: [{ id: "a", email: { subject: "Hi", body: "Hello" } }] };
    const result = parseSequenceJson(value);
    expect(result.ok && result.definition.steps[0]).toEqual({
      id: "a",
      kind: "email",
      wait: { kind: "none" },
      email: { subject: "Hi", body: "Hello", format: "markdown", thread: false },
    });
  });
});

describe("formatting", () => {
  it("prints an error and a warning on one line each", () => {
    const e = {
      file: "a.yaml",
      line: 14,
      column: 11,
      path: "steps[2].wait",
      message: '"2 bussiness days" is not a duration',
    };
    expect(formatDefinitionError({ ...e, hint: 'did you mean "2 business days"?' })).toBe(
      'a.yaml:14:11 steps[2].wait: "2 bussiness days" is not a duration; did you mean "2 business days"?',
    );
    expect(formatDefinitionWarning({ ...e, code: "x" })).toBe(
      'a.yaml:14:11 steps[2].wait: warning: "2 bussiness days" is not a duration',
    );
  });
});

describe("the whole language", () => {
  it("reads a file that uses every key, with only copy advice as warnings", () => {
    const file = "full-syntax.yaml";
    const result = parseSequence(readFileSync(join(import.meta.dirname, "fixtures", file), "utf8"), file);
    if (!result.ok) throw new Error(result.errors.map(formatDefinitionError).join("\n"));
    expect(new Set(result.warnings.map((w) => w.code))).toEqual(new Set(["body_length", "no_breakup"]));
    const def = result.definition;
    expect(def.schedule).toEqual({
      timezone: "contact",
      days: ["mon", "tue", "wed", "thu", "fri"],
      hours: [
        { startMinute: 540, endMinute: 720 },
        { startMinute: 780, endMinute: 1020 },
      ],
      holidays: "US",
      waits: "business",
    });
    expect(def.reenroll).toEqual({ afterDays: 90 });
    expect(def.steps.map((s) => `${s.id}:${s.kind}`)).toEqual([
      "intro:email",
      "call-1:call",
      "li:linkedin",
      "bump:email",
      "sms-1:sms",
      "vm:voicemail",
      "proposal:email",
      "watch:wait_for",
      "split:branch",
      "hot:update",
      "exec:task",
      "nurture:manual_email",
      "notify:webhook",
    ]);
    expect(def.steps[1]).toMatchObject({
      wait: { kind: "days", days: 1, business: true },
      call: { note: "Ask about their current tool", window: { startMinute: 660, endMinute: 720 } },
    });
    expect(def.steps[7]).toMatchObject({
      wait_for: {
        step: "proposal",
        timeoutDelay: { kind: "days", days: 3, business: true },
        onEvent: "hot",
        onTimeout: "split",
      },
    });
    expect(def.steps[12]).toMatchObject({
      next: "end",
      webhook: { method: "POST", body: { source: "nudge" } },
    });
    expect(def.onComplete).toEqual({
      addTags: ["no-response"],
      stage: "nurture",
      task: { type: "manual_email", note: "Personal note to close the loop" },
      enroll: { sequence: "reengage-90", after: { kind: "days", days: 90, business: true } },
    });
  });
});

describe("skip_after on rep tasks", () => {
  it("reads a duration on a call step", () => {
    const def = definitionOf(
      `id: calls\nsteps:\n  - id: ring\n    skip_after: 24h\n    call: { note: Say hi }\n`,
    );
    expect(def.steps[0]).toMatchObject({ id: "ring", kind: "call", skipAfter: { kind: "hours", hours: 24 } });
  });

  it("refuses it on a step that is not a task, naming the line", () => {
    expect(
      onlyError(
        `id: calls\nsteps:\n  - id: intro\n    skip_after: 24h\n    email: { subject: Hi, body: Hello }\n`,
      ),
    ).toMatch(
      /^4:\d+ steps\[0\]\.skip_after: `skip_after` closes an undone rep task, and step "intro" is not a task \(email\)/,
    );
  });
});
