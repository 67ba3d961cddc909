import { describe, expect, it } from "vitest";
import {
  evaluateCondition,
  fieldConditionHolds,
  urlMatches,
} from "../../../src/domain/enrollment/conditions.ts";
import { decide } from "../../../src/domain/enrollment/decide.ts";
import { startEnrollment } from "../../../src/domain/enrollment/startEnrollment.ts";
import type { DecideFacts, EnrollmentState } from "../../../src/domain/enrollment/types.ts";
import type { Condition } from "../../../src/domain/sequence/definition.ts";
import { days, email, event, facts, local, sequence, step, withEvents } from "./sequenceFixtures.ts";

const TUE_10AM = local("2026-12-01T10:00");
const HOUR = 3_600_000;

describe("conditions", () => {
  const since = TUE_10AM;
  const holds = (condition: Condition, f: DecideFacts) =>
    evaluateCondition(condition, { facts: f, sinceUtcMs: since });

  it("counts a human open of the step and never a machine open", () => {
    const human = event("email.opened", TUE_10AM + HOUR, { step: "intro" });
    const machine = event("email.opened", TUE_10AM + HOUR, {}, { step: "intro", machine: true });
    expect(holds({ kind: "opened", step: "intro" }, withEvents(facts(), human))).toBe(true);
    expect(holds({ kind: "opened", step: "intro" }, withEvents(facts(), machine))).toBe(false);
    expect(holds({ kind: "opened", step: "bump" }, withEvents(facts(), human))).toBe(false);
  });

  it("ignores events from before the enrollment", () => {
    const old = event("email.opened", TUE_10AM - HOUR, { step: "intro" });
    expect(holds({ kind: "opened", step: "intro" }, withEvents(facts(), old))).toBe(false);
  });

  it("matches click urls with * wildcards", () => {
    expect(urlMatches("https://acme.com/pricing*", "https://acme.com/pricing?plan=pro")).toBe(true);
    expect(urlMatches("*/case-studies/*", "https://acme.com/case-studies/globex")).toBe(true);
    expect(urlMatches("https://acme.com/pricing", "https://acme.com/pricing/x")).toBe(false);
    expect(urlMatches("https://a.com/?q=(x)", "https://a.com/?q=(x)")).toBe(true);
    const click = event("email.clicked", TUE_10AM + HOUR, {
      step: "proposal",
      url: "https://acme.com/pricing?x",
    });
    expect(holds({ kind: "clicked", step: "proposal", url: "*pricing*" }, withEvents(facts(), click))).toBe(
      true,
    );
    expect(holds({ kind: "clicked", step: "proposal", url: "*docs*" }, withEvents(facts(), click))).toBe(
      false,
    );
  });

  it("evaluates field operators against contact, custom, account and deal fields", () => {
    const f = facts(
      { title: "VP Sales", fields: { employees: "250", plan: "pro" } },
      { deal: { name: "Pilot", stage: "proposal", amount: 12000 } },
    );
    expect(fieldConditionHolds({ path: "title", op: "contains", value: "vp" }, f)).toBe(true);
    expect(fieldConditionHolds({ path: "contact.title", op: "equals", value: "vp sales" }, f)).toBe(true);
    expect(fieldConditionHolds({ path: "fields.employees", op: "gt", value: 200 }, f)).toBe(true);
    expect(fieldConditionHolds({ path: "employees", op: "lt", value: 200 }, f)).toBe(false);
    expect(fieldConditionHolds({ path: "fields.plan", op: "in", value: ["team", "pro"] }, f)).toBe(true);
    expect(fieldConditionHolds({ path: "phone", op: "exists" }, facts({ phone: "  " }))).toBe(false);
    expect(fieldConditionHolds({ path: "phone", op: "missing" }, facts({ phone: null }))).toBe(true);
    expect(fieldConditionHolds({ path: "deal.stage", op: "not_equals", value: "won" }, f)).toBe(true);
    expect(fieldConditionHolds({ path: "company", op: "equals", value: "example corp" }, f)).toBe(true);
    expect(
      fieldConditionHolds({ path: "tags", op: "contains", value: "VIP" }, facts({ tags: ["vip"] })),
    ).toBe(true);
  });

  it("combines with all, any and not, and checks tags and events with where matches", () => {
    const f = withEvents(
      facts({ tags: ["Partner"] }),
      event("webinar.attended", TUE_10AM + HOUR, { minutes: 45 }),
    );
    const tag: Condition = { kind: "tag", tag: "partner" };
    const attended: Condition = { kind: "event", event: "webinar.attended", where: { minutes: { gte: 30 } } };
    expect(holds({ kind: "all", of: [tag, attended] }, f)).toBe(true);
    expect(holds({ kind: "any", of: [{ kind: "not", of: tag }, { kind: "replied" }] }, f)).toBe(false);
  });
});

describe("branch steps", () => {
  const def = sequence([
    email("proposal"),
    step(
      "check",
      {
        kind: "branch",
        branch: {
          rules: [{ if: { kind: "clicked", step: "proposal", url: "*pricing*" }, goto: "hot" }],
          else: "nurture",
        },
      },
      { wait: days(2) },
    ),
    email("nurture", { next: "end" }),
    email("hot"),
  ]);

  function atBranch(f: DecideFacts): { state: EnrollmentState; effects: unknown[] } {
    const sending = startEnrollment(def, TUE_10AM, f).state;
    const waiting = decide(
      sending,
      def,
      { kind: "touch_sent", step: "proposal", atUtcMs: TUE_10AM },
      TUE_10AM,
      f,
    ).state;
    return decide(waiting, def, { kind: "tick" }, local("2026-12-03T10:00"), f);
  }

  it("takes the rule's target when a person clicked the tracked link", () => {
    const click = event(
      "email.clicked",
      TUE_10AM + HOUR,
      { url: "https://acme.com/pricing" },
      { step: "proposal" },
    );
    expect(atBranch(withEvents(facts(), click)).effects).toMatchObject([{ kind: "send_email", step: "hot" }]);
  });

  it("takes else when the only click came from a link scanner", () => {
    const scanner = event(
      "email.clicked",
      TUE_10AM + 1000,
      { url: "https://acme.com/pricing" },
      { step: "proposal", machine: true },
    );
    expect(atBranch(withEvents(facts(), scanner)).effects).toMatchObject([
      { kind: "send_email", step: "nurture" },
    ]);
  });
});

describe("wait_for steps", () => {
  const def = sequence([
    email("intro"),
    step("wait-open", {
      kind: "wait_for",
      wait_for: {
        event: "email.opened",
        step: "intro",
        timeoutDelay: days(3),
        onEvent: "opened-follow-up",
        onTimeout: "bump",
      },
    }),
    email("bump", { next: "end" }),
    email("opened-follow-up", { wait: { kind: "hours", hours: 1 } }),
  ]);

  function waiting(f: DecideFacts = facts()) {
    const sending = startEnrollment(def, TUE_10AM, f).state;
    return decide(sending, def, { kind: "touch_sent", step: "intro", atUtcMs: TUE_10AM }, TUE_10AM, f);
  }

  it("waits for the event until the timeout", () => {
    const { state, effects } = waiting();
    expect(effects).toEqual([]);
    expect(state).toMatchObject({
      phase: "waiting_for_event",
      stepId: "wait-open",
      nextRunAtUtcMs: local("2026-12-04T10:00"),
    });
  });

  it("goes to onEvent when a human open arrives, applying that step's wait", () => {
    const open = event("email.opened", TUE_10AM + HOUR, {}, { step: "intro" });
    const { state } = decide(
      waiting().state,
      def,
      { kind: "event", event: open },
      TUE_10AM + HOUR,
      withEvents(facts(), open),
    );
    expect(state).toMatchObject({
      phase: "due",
      stepId: "opened-follow-up",
      nextRunAtUtcMs: TUE_10AM + 2 * HOUR,
    });
  });

  it("keeps waiting when the open is a machine's", () => {
    const open = event("email.opened", TUE_10AM + HOUR, {}, { step: "intro", machine: true });
    const { state } = decide(
      waiting().state,
      def,
      { kind: "event", event: open },
      TUE_10AM + HOUR,
      withEvents(facts(), open),
    );
    expect(state.phase).toBe("waiting_for_event");
  });

  it("goes to onTimeout on the timeout tick", () => {
    const timeout = local("2026-12-04T10:00");
    const { effects } = decide(waiting().state, def, { kind: "tick" }, timeout, facts());
    expect(effects).toMatchObject([{ kind: "send_email", step: "bump" }]);
  });

  it("goes straight to onEvent when the event already happened after the last touch", () => {
    const def2 = sequence([
      email("intro"),
      step(
        "wait-open",
        { kind: "wait_for", wait_for: { event: "email.opened", step: "intro", timeoutDelay: days(3) } },
        { wait: days(1) },
      ),
      email("next"),
    ]);
    const open = event("email.opened", TUE_10AM + HOUR, {}, { step: "intro" });
    const f = withEvents(facts(), open);
    const sending = startEnrollment(def2, TUE_10AM, f).state;
    const waitingDay = decide(
      sending,
      def2,
      { kind: "touch_sent", step: "intro", atUtcMs: TUE_10AM },
      TUE_10AM,
      f,
    ).state;
    const { effects } = decide(waitingDay, def2, { kind: "tick" }, local("2026-12-02T10:00"), f);
    expect(effects).toMatchObject([{ kind: "send_email", step: "next" }]);
  });
});
