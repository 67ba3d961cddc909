import { describe, expect, it } from "vitest";
import { errorsOf, parse, sequenceText } from "./sequenceText.ts";

interface Case {
  name: string;
  text: string;
  /** `line:column path` of the one error expected, and words its message or hint must contain. */
  at: string;
  says: string;
}

const email = (id: string, extra = "") =>
  `  - id: ${id}\n${extra}    email: { subject: "About ${id}", body: "Hi {{ contact.first_name | default: 'there' }}" }\n`;

const cases: Case[] = [
  {
    name: "a repeated step id",
    text: sequenceText(`${email("intro")}${email("intro", "    wait: 2d\n")}`),
    at: "7:9 steps[1].id",
    says: 'duplicate step id "intro" (first at steps[0], line 5)',
  },
  {
    name: "a goto to a step that does not exist, with the closest id as hint",
    text: sequenceText(
      `  - id: split\n    branch:\n      - if: { tag: vip }\n        goto: folow-up\n      - else: end\n${email("follow-up")}`,
    ),
    at: "8:15 steps[0].branch[0].goto",
    says: 'there is no step "folow-up"; did you mean "follow-up"?',
  },
  {
    name: "a next to a step that does not exist",
    text: sequenceText(`${email("intro", "    next: nowhere\n")}`),
    at: "6:11 steps[0].next",
    says: 'there is no step "nowhere"',
  },
  {
    name: "an else to a step that does not exist",
    text: sequenceText(`  - id: split\n    branch:\n      - else: gone\n${email("a")}`),
    at: "7:15 steps[0].branch[0].else",
    says: 'there is no step "gone"',
  },
  {
    name: "an on_event to a step that does not exist",
    text: sequenceText(
      `${email("intro")}  - id: watch\n    wait_for: { event: email.clicked, timeout: 3d, on_event: hott }\n${email("hot")}`,
    ),
    at: "8:62 steps[1].wait_for.on_event",
    says: 'did you mean "hot"?',
  },
  {
    name: "an on_timeout to a step that does not exist",
    text: sequenceText(
      `${email("intro")}  - id: watch\n    wait_for: { event: email.clicked, timeout: 3d, on_timeout: later }\n`,
    ),
    at: "8:64 steps[1].wait_for.on_timeout",
    says: 'there is no step "later"',
  },
  {
    name: "a wait_for about a step that does not exist",
    text: sequenceText(
      `${email("intro")}  - id: watch\n    wait_for: { event: email.clicked, step: intra, timeout: 3d }\n`,
    ),
    at: "8:45 steps[1].wait_for.step",
    says: 'there is no step "intra"; did you mean "intro"?',
  },
  {
    name: "an opened condition on a step that does not exist",
    text: sequenceText(
      `${email("intro")}  - id: split\n    branch:\n      - if: { opened: intor }\n        goto: end\n      - else: end\n`,
    ),
    at: "9:23 steps[1].branch[0].if.opened",
    says: 'did you mean "intro"?',
  },
  {
    name: "a clicked condition nested in any, on a step that does not exist",
    text: sequenceText(
      `${email("intro")}  - id: split\n    branch:\n      - if: { any: [ { opened: intro }, { clicked: nope } ] }\n        goto: end\n      - else: end\n`,
    ),
    at: "9:52 steps[1].branch[0].if.any[1].clicked",
    says: 'there is no step "nope"',
  },
  {
    name: "an opened condition on a step that is not an email",
    text: sequenceText(
      `  - id: ring\n    call: { note: hi }\n  - id: split\n    branch:\n      - if: { opened: ring }\n        goto: end\n      - else: end\n`,
    ),
    at: "9:23 steps[1].branch[0].if.opened",
    says: 'step "ring" is a call step; opens are tracked on emails',
  },
  {
    name: "a step nothing leads to",
    text: sequenceText(`${email("intro", "    next: end\n")}${email("orphan")}`),
    at: "8:9 steps[1].id",
    says: 'step "orphan" is unreachable',
  },
  {
    name: "a loop whose steps never wait",
    text: sequenceText(
      `${email("intro")}  - id: again\n    branch:\n      - if: { tag: vip }\n        goto: intro\n      - else: end\n`,
    ),
    at: "5:9 steps[0].id",
    says: 'steps "intro", "again" form a cycle without a wait',
  },
  {
    name: "a branch without else",
    text: sequenceText(
      `  - id: split\n    branch:\n      - if: { tag: vip }\n        goto: end\n${email("a")}`,
    ),
    at: "6:5 steps[0].branch",
    says: "the branch has no `else`",
  },
  {
    name: "an else that is not the last entry",
    text: sequenceText(
      `  - id: split\n    branch:\n      - else: end\n      - if: { tag: vip }\n        goto: end\n${email("a")}`,
    ),
    at: "7:9 steps[0].branch[0].else",
    says: "`else` must be the last entry",
  },
  {
    name: "a Liquid syntax error, pointed at inside the block scalar",
    text: sequenceText(
      `  - id: intro\n    email:\n      subject: Hello\n      body: |\n        Hi there,\n\n        how is {% if contact.title %}work going?\n`,
    ),
    at: "11:16 steps[0].email.body",
    says: "template error",
  },
  {
    name: "an unknown merge field, pointed at inside a one-line string",
    text: sequenceText(
      `  - id: intro\n    email: { subject: "Hi {{ contact.frist_name }}", body: "Hello" }\n`,
    ),
    at: "6:30 steps[0].email.subject",
    says: "did you mean contact.first_name?",
  },
  {
    name: "an invalid time zone",
    text: sequenceText(email("a"), "schedule: { timezone: Mars/Olympus }\n"),
    at: "4:23 schedule.timezone",
    says: '"Mars/Olympus" is not a time zone',
  },
  {
    name: "a time zone abbreviation",
    text: sequenceText(email("a"), "schedule:\n  timezone: PST\n"),
    at: "5:13 schedule.timezone",
    says: 'did you mean "America/Los_Angeles"?',
  },
  {
    name: "an unknown holiday calendar",
    text: sequenceText(email("a"), "schedule: { holidays: ZZ }\n"),
    at: "4:23 schedule.holidays",
    says: '"ZZ" is not a holiday calendar',
  },
  {
    name: "an invalid regular expression in matches",
    text: sequenceText(
      email("a"),
      'trigger: { event: page.visited, where: { url: { matches: "pricing(" } } }\n',
    ),
    at: "4:58 trigger.where.url.matches",
    says: "is not a valid regular expression",
  },
  {
    name: "no steps",
    text: sequenceText("  []\n").replace("steps:\n  []", "steps: []"),
    at: "4:1 steps",
    says: "the sequence has no steps",
  },
  {
    name: "an email without a body",
    text: sequenceText(`  - id: intro\n    email:\n      subject: Hello\n`),
    at: "6:5 steps[0].email.body",
    says: "`email` needs `body`",
  },
  {
    name: "an email that starts a thread without a subject",
    text: sequenceText(`  - id: intro\n    email: { body: Hello }\n`),
    at: "6:5 steps[0].email.subject",
    says: "needs a `subject`",
  },
  {
    name: "thread: true on the first email",
    text: sequenceText(
      `  - id: intro\n    email:\n      subject: Hi\n      thread: true\n      body: Hello\n${email("b")}`,
    ),
    at: "8:7 steps[0].email.thread",
    says: "no email is sent before it",
  },
  {
    name: "a threaded email without subject that some path reaches before any email",
    text: sequenceText(
      `  - id: split\n    branch:\n      - if: { tag: vip }\n        goto: bump\n      - else: intro\n${email("intro")}  - id: bump\n    wait: 2d\n    email: { thread: true, body: Hello }\n`,
    ),
    at: "14:5 steps[2].email",
    says: "on some paths no email is sent before",
  },
  {
    name: "switching off an always-on exit",
    text: sequenceText(email("a"), "exit: { replied: false }\n"),
    at: "4:18 exit.replied",
    says: "`replied` is an always-on exit and cannot be switched off",
  },
  {
    name: "an unknown key, with the nearest known key as hint",
    text: sequenceText(`  - id: intro\n    email: { subjct: Hi, subject: Hi, body: Hello }\n`),
    at: "6:14 steps[0].email.subjct",
    says: "unknown key `subjct` in steps[0].email; did you mean `subject`?",
  },
  {
    name: "a step with two actions",
    text: sequenceText(`  - id: intro\n    sms: { body: Hi }\n    call: { note: Hi }\n`),
    at: "7:5 steps[0].call",
    says: 'step "intro" does 2 things',
  },
  {
    name: "a misspelt wait",
    text: sequenceText(`${email("a")}${email("b", "    wait: 2 bussiness days\n")}`),
    at: "8:11 steps[1].wait",
    says: '"2 bussiness days" is not a duration; did you mean "2 business days"?',
  },
];

describe("semantic checks", () => {
  it.each(cases)("reports $name", ({ text, at, says }) => {
    const errors = errorsOf(text);
    const lines = errors.map(
      (e) => `${e.line}:${e.column} ${e.path}: ${e.message}${e.hint ? `; ${e.hint}` : ""}`,
    );
    expect(lines, `errors were:\n${lines.join("\n")}`).toHaveLength(1);
    expect(lines[0]).toContain(`${at}: `);
    expect(lines[0]).toContain(says);
  });

  it("reports every dangling reference of a file, not only the first", () => {
    const text = sequenceText(
      `${email("intro", "    next: nope-1\n")}  - id: split\n    branch:\n      - if: { opened: nope-2 }\n        goto: nope-3\n      - else: nope-4\n`,
    );
    const messages = errorsOf(text).map((e) => e.message);
    for (const id of ["nope-1", "nope-2", "nope-3", "nope-4"])
      expect(messages).toContain(`there is no step "${id}"`);
  });
});

describe("warnings", () => {
  const warningsOf = (text: string) => {
    const result = parse(text);
    expect(result.ok, JSON.stringify(result.ok ? [] : result.errors)).toBe(true);
    return result.warnings;
  };

  it("warns when an SMS runs over three segments", () => {
    const long = "This is a fairly long text message. ".repeat(14);
    const [warning] = warningsOf(sequenceText(`  - id: text\n    sms: { body: "${long}" }\n`)).filter(
      (w) => w.code === "sms_segments",
    );
    expect(warning).toMatchObject({ line: 6, column: 18, path: "steps[0].sms.body" });
    expect(warning?.message).toContain("4 SMS segments");
  });

  it("does not warn for an SMS of three segments", () => {
    const text = sequenceText(`  - id: text\n    sms: { body: "${"x".repeat(459)}" }\n`);
    expect(warningsOf(text).filter((w) => w.code === "sms_segments")).toEqual([]);
  });

  it("passes the template module's copy advice on as warnings at the email", () => {
    const text = sequenceText(
      `  - id: intro\n    email: { subject: "FREE DEMO!!!", body: "Hi" }\n${email("bump", "    wait: 2d\n")}`,
    );
    const codes = warningsOf(text).map((w) => `${w.line}:${w.column} ${w.code}`);
    expect(codes).toContain("6:5 promotional_subject");
    expect(codes).toContain("6:5 body_length");
    expect(codes).toContain("9:5 no_breakup");
  });

  it("warns about an event name one typo away from a known one", () => {
    const text = sequenceText(email("a"), "trigger: { event: form.submited }\n");
    expect(warningsOf(text)).toContainEqual(
      expect.objectContaining({
        code: "unknown_event",
        line: 4,
        column: 19,
        hint: 'did you mean "form.submitted"?',
      }),
    );
  });

  it("warns that waiting for a reply cannot work, since a reply ends the enrollment", () => {
    const text = sequenceText(
      `${email("a")}  - id: watch\n    wait_for: { event: email.replied, timeout: 3d }\n`,
    );
    expect(warningsOf(text).map((w) => w.code)).toContain("wait_for_exit_event");
  });

  it("warns that a replied condition is never true", () => {
    const text = sequenceText(
      `${email("a")}  - id: split\n    branch:\n      - if: { replied: true }\n        goto: end\n      - else: end\n`,
    );
    expect(warningsOf(text)).toContainEqual(
      expect.objectContaining({ code: "replied_condition", path: "steps[1].branch[0].if.replied" }),
    );
  });

  it("warns that a clicked condition cannot pass while clicks are not tracked", () => {
    const text = sequenceText(
      `${email("intro")}  - id: split\n    branch:\n      - if: { clicked: intro }\n        goto: end\n      - else: end\n`,
    ).replace("tracking: { opens: true, clicks: true }", "tracking: { opens: true }");
    expect(warningsOf(text)).toContainEqual(
      expect.objectContaining({
        code: "tracking_off",
        line: 9,
        column: 15,
        path: "steps[1].branch[0].if.clicked",
        hint: "turn it on: tracking: { clicks: true }",
      }),
    );
  });

  it("warns about a field test on a misspelt field", () => {
    const text = sequenceText(
      email("a"),
      "exit: { fields: [ { field: contact.lifecycle_stge, equals: customer } ] }\n",
    );
    expect(warningsOf(text)).toContainEqual(
      expect.objectContaining({
        code: "unknown_field",
        path: "exit.fields[0].field",
        hint: expect.stringContaining("contact.lifecycle_stage"),
      }),
    );
  });

  it("warns when a sequence can never reach its end", () => {
    const text = sequenceText(
      `  - id: a\n    wait: 30d\n    email: { subject: Hi, body: Hello }\n    next: a\n`,
    );
    expect(warningsOf(text).map((w) => w.code)).toContain("never_completes");
  });
});
