import { describe, expect, it } from "vitest";
import {
  DEFAULT_SCHEDULE,
  type EmailVariant,
  type SequenceDefinition,
  type Step,
} from "../../../src/domain/sequence/definition.ts";
import { copyWarnings } from "../../../src/domain/template/index.ts";

function email(
  id: string,
  body: string,
  opts: { subject?: string; format?: "markdown" | "html"; variants?: EmailVariant[] } = {},
): Step {
  return {
    id,
    kind: "email",
    wait: { kind: "days", days: 3, business: true },
    email: {
      ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
      body,
      format: opts.format ?? "markdown",
      thread: opts.subject === undefined,
      ...(opts.variants ? { variants: opts.variants } : {}),
    },
  };
}

function sequence(...steps: Step[]): SequenceDefinition {
  return {
    id: "outbound",
    name: "Outbound",
    schedule: DEFAULT_SCHEDULE,
    tracking: { opens: false, clicks: false },
    reenroll: { afterDays: null },
    steps,
    exit: { account: false, events: [], dealStages: [], fields: [] },
  };
}

/** `n` distinct words, so length tests do not also trip the duplicate check. */
function words(n: number, salt = "w"): string {
  return Array.from({ length: n }, (_, i) => `${salt}${i}`).join(" ");
}

const INTRO = `Hi {{ contact.first_name }},

I noticed {{ contact.company }} opened two new offices this quarter. Teams at that stage often find
that follow-ups slip once each rep owns more accounts than they can track by hand. We help sales
teams send the right follow-up at the right time, and stop the moment a prospect replies, so nobody
gets an awkward bump after saying yes.

Worth a 15-minute call next week to see if it fits?

Best,
{{ sender.name }}`;

const BUMP = `Hi {{ contact.first_name }}, one more thought on my last note. Most teams we talk to lose
about a fifth of their pipeline to follow-ups that never happen, not to bad pitches. A customer of
ours, a 40-rep team, won back three deals in their first month just by making sure every demo got a
recap and two nudges. Happy to share how they set it up, if that is useful for {{ contact.company }}.`;

const BREAKUP = `Hi {{ contact.first_name }}, I haven't heard back, so I'll assume better follow-up isn't a
priority for {{ contact.company }} right now and I'll stop reaching out. If that changes, just reply
to this note and I will send over the short case study from the team that won back three deals in a
month. Either way, thanks for reading, and good luck with the new offices this quarter.`;

describe("copyWarnings", () => {
  it("is quiet for a well-written cadence", () => {
    const def = sequence(
      email("intro", INTRO, { subject: "Follow-ups at {{ contact.company }}" }),
      email("bump-1", BUMP),
      email("breakup", BREAKUP, { subject: "Should I close your file?" }),
    );
    expect(copyWarnings(def)).toEqual([]);
  });

  it.each([
    [212, 'step "bump-2": body is 212 words; replies drop above ~125 — consider trimming'],
    [
      23,
      'step "bump-2": body is 23 words; emails of 50–125 words get the most replies — consider adding a line of context or a reason to answer',
    ],
  ])("advises on a %i-word body", (count, message) => {
    const def = sequence(email("intro", INTRO, { subject: "Hi" }), email("bump-2", words(count)));
    const length = copyWarnings(def).filter((w) => w.code === "body_length");
    expect(length).toEqual([{ step: "bump-2", code: "body_length", message }]);
  });

  it("counts the author's words, not merge values, URLs or markup", () => {
    const body = `{{ contact.first_name }}, ${words(47)} [read this](https://example.test/a/very/long/path) <b>bold</b>\n\n{{ sender.signature }}`;
    const warnings = copyWarnings(sequence(email("intro", body, { subject: "Hi" })));
    // 47 words + "read this" + "bold" = 50: inside the range.
    expect(warnings.filter((w) => w.code === "body_length")).toEqual([]);
  });

  it("counts words inside conditional blocks", () => {
    const body = `{% if contact.fields.vip %}${words(130)}{% endif %}`;
    const warnings = copyWarnings(sequence(email("intro", body, { subject: "Hi" })));
    expect(warnings.map((w) => w.code)).toContain("body_length");
  });

  it("checks each A/B variant that has its own copy", () => {
    const def = sequence(
      email("intro", INTRO, {
        subject: "Follow-ups at {{ contact.company }}",
        variants: [
          { id: "a", weight: 1 },
          { id: "b", weight: 1, subject: "FREE audit!!!", body: words(10) },
        ],
      }),
    );
    const messages = copyWarnings(def).map((w) => w.message);
    expect(messages).toContain(
      'step "intro" variant "b": body is 10 words; emails of 50–125 words get the most replies — consider adding a line of context or a reason to answer',
    );
    expect(
      messages.some((m) =>
        m.startsWith('step "intro" variant "b": subject "FREE audit!!!" looks promotional'),
      ),
    ).toBe(true);
    expect(messages.some((m) => m.includes('variant "a"'))).toBe(false);
  });

  it.each([
    ["FREE demo for {{ contact.company }}", 'all caps "FREE"'],
    ["Quick question!!!", '"!!!"'],
    ["Hi! Big news!", "2 exclamation marks"],
    ["A free audit for your team", 'spam trigger "free"'],
    ["We guarantee results", 'spam trigger "guarantee"'],
    ["Act now: limited time", 'spam trigger "act now", "limited time"'],
    ["100% more replies", 'spam trigger "100%"'],
    ["$$$ for your reps", 'spam trigger "$$$"'],
    ["You're a winner", 'spam trigger "winner"'],
    ["Urgent: pipeline review", 'spam trigger "urgent"'],
  ])("flags the promotional subject %j (%s)", (subject, sign) => {
    const [warning] = copyWarnings(sequence(email("intro", INTRO, { subject }))).filter(
      (w) => w.code === "promotional_subject",
    );
    expect(warning?.step).toBe("intro");
    expect(warning?.message).toContain(sign);
  });

  it.each([
    "Follow-ups at {{ contact.company }}",
    "Quick question about the SDR team",
    "Idea for {{ contact.first_name }}",
    "Freedom to focus on selling",
    "CRM hygiene?",
  ])("leaves the plain subject %j alone", (subject) => {
    const warnings = copyWarnings(sequence(email("intro", INTRO, { subject })));
    expect(warnings.filter((w) => w.code === "promotional_subject")).toEqual([]);
  });

  it("flags a follow-up that repeats an earlier email", () => {
    const repeat = INTRO.replace("Best,", "Cheers,");
    const def = sequence(
      email("intro", INTRO, { subject: "Hi" }),
      email("bump-1", repeat),
      email("breakup", BREAKUP),
    );
    const duplicates = copyWarnings(def).filter((w) => w.code === "duplicate_followup");
    expect(duplicates).toHaveLength(1);
    expect(duplicates[0]?.step).toBe("bump-1");
    expect(duplicates[0]?.message).toMatch(/^steps "intro" and "bump-1" are \d+% alike; /);
  });

  it("does not call emails that share a greeting and sign-off duplicates", () => {
    const def = sequence(
      email("intro", INTRO, { subject: "Hi" }),
      email("bump-1", BUMP),
      email("breakup", BREAKUP),
    );
    expect(copyWarnings(def).filter((w) => w.code === "duplicate_followup")).toEqual([]);
  });

  it("asks for a break-up email when the last email is an ordinary bump", () => {
    const def = sequence(
      email("intro", INTRO, { subject: "Hi" }),
      email("bump-1", BUMP),
      email("bump-2", BUMP.replace("40-rep", "60-rep").replace("three", "four")),
    );
    const breakup = copyWarnings(def).filter((w) => w.code === "no_breakup");
    expect(breakup).toEqual([
      {
        step: "bump-2",
        code: "no_breakup",
        message:
          'the last email, step "bump-2", doesn\'t read as a break-up; ending with a short "should I close your file?" note often earns the most replies',
      },
    ]);
  });

  it.each([
    "Should I close your file, {{ contact.first_name }}?",
    "This is my last note on this.",
    "I'll stop reaching out after this one.",
    "Sounds like this is not a priority right now.",
    "One last try before I go quiet.",
    "I’ll assume the timing is off.",
    "Time to break up?",
  ])("accepts %j as a break-up", (line) => {
    const def = sequence(
      email("intro", INTRO, { subject: "Hi" }),
      email("bump-1", BUMP),
      email("last", `${line}\n\n${words(60)}`),
    );
    expect(copyWarnings(def).filter((w) => w.code === "no_breakup")).toEqual([]);
  });

  it.each([
    "Following up on my last note, {{ contact.first_name }}.",
    "Circling back to my last email about follow-ups.",
  ])("does not mistake the bump %j for a break-up", (line) => {
    const def = sequence(
      email("intro", INTRO, { subject: "Hi" }),
      email("bump-1", `${line}\n\n${words(60)}`),
    );
    expect(copyWarnings(def).map((w) => w.code)).toContain("no_breakup");
  });

  it("does not ask a single-email sequence for a break-up", () => {
    expect(copyWarnings(sequence(email("intro", INTRO, { subject: "Hi" })))).toEqual([]);
  });

  it("only counts email steps: a final call task needs no break-up copy", () => {
    const call: Step = {
      id: "call",
      kind: "call",
      wait: { kind: "none" },
      call: { note: "Call {{ contact.first_name }}" },
    };
    const def = sequence(email("intro", INTRO, { subject: "Hi" }), email("breakup", BREAKUP), call);
    expect(copyWarnings(def)).toEqual([]);
  });

  it("still gives advice on a body whose Liquid does not parse", () => {
    const def = sequence(email("intro", `{{ contact.first_name }, ${words(200)}`, { subject: "Hi" }));
    expect(copyWarnings(def).map((w) => w.code)).toContain("body_length");
  });
});
