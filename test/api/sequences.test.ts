import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../support/testStores.ts";
import { type ApiHarness, DAY_MS, openApiHarness, T0, twoEmailSequence } from "./harness.ts";

const WITH_CALL = `id: call-then-email
name: Call, then email
schedule:
  timezone: UTC
  days: [mon, tue, wed, thu, fri, sat, sun]
  hours: ["00:00-24:00"]
exit:
  deal_stages: [closed_won]
steps:
  - id: ring
    call:
      note: "Ask about their current tool"
  - id: recap
    wait: 1d
    email:
      subject: "Our call"
      body: "Thanks for the chat."
`;

describeEachEngine("sequences, enrollments, events, tasks and the sandbox", (store) => {
  let api: ApiHarness;
  const countInbound = () =>
    api.engine.db
      .selectFrom("inbound_messages")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow()
      .then((r) => ({ n: Number(r.n) }));
  beforeAll(async () => {
    api = await openApiHarness(store().engine);
  });
  afterAll(async () => {
    await api.close();
  });

  it("rejects a bad definition with line and column, then saves the fix as version 1 and a change as version 2", async () => {
    const bad = twoEmailSequence("welcome").replace("wait: 1d", "wait: 2 bussiness days");
    const refused = await api.call("POST", "/v1/sequences", { raw: bad, contentType: "application/yaml" });
    expect(refused.status).toBe(422);
    expect(refused.json.type).toBe("urn:nudge:problem:validation-failed");
    const error = refused.json.errors[0];
    expect(error.field).toBe("steps[1].wait");
    expect(error.line).toBe(bad.split("\n").findIndex((l) => l.includes("bussiness")) + 1);
    expect(error.column).toBeGreaterThan(0);
    expect(error.hint).toMatch(/business/);
    expect((await api.call("GET", "/v1/sequences")).json.data).toEqual([]);

    const created = await api.call("POST", "/v1/sequences", {
      raw: twoEmailSequence("welcome"),
      contentType: "text/yaml",
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ key: "welcome", status: "draft", current_version: 1 });
    expect(created.json.definition.steps).toHaveLength(2);

    const changed = twoEmailSequence("welcome").replace("Following up.", "Following up again.");
    const v2 = await api.call("PUT", `/v1/sequences/${created.json.id}`, { body: { source: changed } });
    expect(v2.status).toBe(200);
    expect(v2.json.current_version).toBe(2);
    const same = await api.call("POST", "/v1/sequences", { body: { source: changed } });
    expect(same.status).toBe(200);
    expect(same.json.current_version).toBe(2);
    const versions = await api.call("GET", "/v1/sequences/welcome/versions");
    expect(versions.json.data.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const detail = await api.call("GET", "/v1/sequences/welcome");
    expect(detail.json.source).toBe(changed);
    const wrongKey = await api.call("PUT", `/v1/sequences/${created.json.id}`, {
      raw: twoEmailSequence("other"),
      contentType: "text/plain",
    });
    expect(wrongKey.status).toBe(422);
    expect(wrongKey.json.errors[0].field).toBe("id");
  });

  it("accepts a definition as a JSON object", async () => {
    const definition = {
      id: "json-made",
      name: "Made in JSON",
      steps: [{ id: "only", email: { subject: "Hi", body: "Hello there." } }],
    };
    const res = await api.call("POST", "/v1/sequences", { body: definition });
    expect(res.status).toBe(201);
    expect(res.json.key).toBe("json-made");
  });

  it("enrolls a contact into an active sequence and a meeting.booked event exits the enrollment", async () => {
    const inactive = await api.call("POST", "/v1/enrollments", {
      body: { sequence_id: "welcome", email: "meg@flow.test" },
    });
    expect(inactive.status).toBe(200);
    expect(inactive.json.results[0]).toMatchObject({ status: "skipped", reason: "sequence_not_active" });
    expect((await api.call("POST", "/v1/sequences/welcome/activate")).json.status).toBe("active");

    const enrolled = await api.call("POST", "/v1/enrollments", {
      key: api.keys.rep,
      body: { sequence_id: "welcome", contact: { email: "meg@flow.test", first_name: "Meg" } },
    });
    expect(enrolled.status).toBe(201);
    const result = enrolled.json.results[0];
    expect(result.status).toBe("enrolled");
    const enrollmentId = result.enrollment.id;
    expect(result.enrollment).toMatchObject({ status: "active", current_step: "hello" });

    const twice = await api.call("POST", "/v1/enrollments", {
      body: { sequence_id: "welcome", email: "meg@flow.test" },
    });
    expect(twice.json.results[0]).toMatchObject({ status: "skipped", reason: "already_enrolled" });

    const unknown = await api.call("POST", "/v1/enrollments", {
      body: { sequence_id: "nope", email: "meg@flow.test" },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.json.errors[0].field).toBe("sequence_id");
    const both = await api.call("POST", "/v1/enrollments", {
      body: { sequence_id: "welcome", email: "meg@flow.test", contact_id: "ct_x" },
    });
    expect(both.status).toBe(422);

    const booked = await api.call("POST", "/v1/events", {
      key: api.keys.ingest,
      body: {
        type: "meeting.booked",
        email: "meg@flow.test",
        data: { calendar: "demo" },
        dedupe_key: "cal-1",
      },
    });
    expect(booked.status).toBe(200);
    expect(booked.json.events[0]).toMatchObject({
      type: "meeting.booked",
      duplicate: false,
      affected: [{ enrollment_id: enrollmentId, status: "exited", exit_reason: "meeting_booked" }],
    });
    const redelivered = await api.call("POST", "/v1/events", {
      body: { type: "meeting.booked", email: "meg@flow.test", dedupe_key: "cal-1" },
    });
    expect(redelivered.json.events[0]).toMatchObject({ duplicate: true, affected: [] });

    const after = await api.call("GET", `/v1/enrollments/${enrollmentId}`);
    expect(after.json).toMatchObject({ status: "exited", exit_reason: "meeting_booked", next_run_at: null });
    const timeline = await api.call("GET", `/v1/enrollments/${enrollmentId}/timeline`);
    const exit = timeline.json.data.find((i: { type: string }) => i.type === "enrollment.exited");
    expect(exit).toMatchObject({ exit_reason: "meeting_booked", enrollment_id: enrollmentId });
    expect(timeline.json.data[0].type).toBe("enrollment.exited");
    const list = await api.call("GET", `/v1/enrollments?sequence_id=welcome&status=exited`);
    expect(list.json.data.map((e: { id: string }) => e.id)).toEqual([enrollmentId]);
  });

  it("enrolls many at once, reporting each contact, and pauses, resumes and exits by hand", async () => {
    const existing = await api.call("POST", "/v1/contacts", { body: { email: "ann@bulk.test" } });
    const res = await api.call("POST", "/v1/enrollments", {
      body: {
        sequence_id: "welcome",
        contacts: [
          { contact_id: existing.json.id },
          { email: "ben@bulk.test", first_name: "Ben" },
          { contact_id: "ct_ghost" },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ enrolled: 2, skipped: 1 });
    expect(res.json.results[2]).toMatchObject({
      status: "skipped",
      reason: "contact_not_found",
      contact_id: "ct_ghost",
    });
    const id = res.json.results[0].enrollment.id;
    const paused = await api.call("POST", `/v1/enrollments/${id}/pause`, {
      key: api.keys.rep,
      body: { until: new Date(T0 + 3 * DAY_MS).toISOString() },
    });
    expect(paused.json).toMatchObject({
      status: "paused",
      paused_until: new Date(T0 + 3 * DAY_MS).toISOString(),
    });
    expect((await api.call("POST", `/v1/enrollments/${id}/resume`)).json.status).toBe("active");
    const exited = await api.call("POST", `/v1/enrollments/${id}/exit`, {
      body: { detail: "asked by phone" },
    });
    expect(exited.json).toMatchObject({ status: "exited", exit_reason: "manual" });
    const again = await api.call("POST", `/v1/enrollments/${id}/exit`);
    expect(again.status).toBe(409);
    expect((await api.call("POST", "/v1/enrollments/enr_missing/pause")).status).toBe(404);
  });

  it("walks the cadence on the sandbox clock and shows the captured emails, then stats", async () => {
    const before = await api.call("GET", "/v1/sandbox/messages?to=ben@bulk.test");
    expect(before.json.data).toEqual([]);
    const byRep = await api.call("POST", "/v1/sandbox/clock/advance", {
      key: api.keys.rep,
      body: { by: "2d" },
    });
    expect(byRep.status).toBe(403);
    const advanced = await api.call("POST", "/v1/sandbox/clock/advance", { body: { by: "2d" } });
    expect(advanced.status).toBe(200);
    expect(advanced.json.messages_captured).toBeGreaterThanOrEqual(2);
    expect(advanced.json.to).toBe(new Date(T0 + 2 * DAY_MS).toISOString());
    const captured = await api.call("GET", "/v1/sandbox/messages?to=ben@bulk.test");
    expect(captured.json.data).toHaveLength(2);
    const first = captured.json.data[0];
    expect(first).toMatchObject({ channel: "email", to: "ben@bulk.test", subject: "Hello Ben" });
    expect(first.headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
    expect(first.text).toContain("Hi Ben");
    const one = await api.call("GET", `/v1/sandbox/messages/${first.id}`);
    expect(one.json.raw).toContain("Subject: Hello Ben");
    expect((await api.call("GET", "/v1/sandbox/clock")).json).toMatchObject({
      test_clock: true,
      mode: "sandbox",
    });
    const bad = await api.call("POST", "/v1/sandbox/clock/advance", { body: { by: "3 fortnights" } });
    expect(bad.status).toBe(422);
    expect(bad.json.errors[0].field).toBe("by");

    const stats = await api.call("GET", "/v1/sequences/welcome/stats");
    expect(stats.status).toBe(200);
    const hello = stats.json.steps.find((s: { step_id: string }) => s.step_id === "hello");
    // Meg's and Ann's first emails were still queued when they exited: cancelled, never sent.
    expect(hello).toMatchObject({ kind: "email", sent: 1, delivered: 1, opened: 0, bounced: 0 });
    expect(stats.json.exits).toMatchObject({ meeting_booked: 1, manual: 1 });
    expect(stats.json.enrollments.completed).toBe(1);
  });

  it("creates a call task, lists it for the day and completes it with an outcome; a deal stage exit fires", async () => {
    const seq = await api.call("POST", "/v1/sequences", { raw: WITH_CALL, contentType: "application/yaml" });
    expect(seq.status).toBe(201);
    await api.call("POST", `/v1/sequences/${seq.json.id}/activate`);
    const enrolled = await api.call("POST", "/v1/enrollments", {
      body: { sequence_id: "call-then-email", contact: { email: "cal@tasks.test", first_name: "Cal" } },
    });
    const enrollmentId = enrolled.json.results[0].enrollment.id;
    const contactId = enrolled.json.results[0].contact_id;
    const tasks = await api.call("GET", `/v1/tasks?status=open&contact_id=${contactId}`);
    expect(tasks.json.data).toHaveLength(1);
    const task = tasks.json.data[0];
    expect(task).toMatchObject({
      type: "call",
      status: "open",
      enrollment_id: enrollmentId,
      step_id: "ring",
    });
    const due = await api.call(
      "GET",
      `/v1/tasks?due_before=${encodeURIComponent(new Date(T0 + 3 * DAY_MS).toISOString())}`,
    );
    expect(due.json.data.some((t: { id: string }) => t.id === task.id)).toBe(true);
    const done = await api.call("POST", `/v1/tasks/${task.id}/complete`, {
      key: api.keys.rep,
      body: { outcome: "connected", note: "Uses spreadsheets" },
    });
    expect(done.status).toBe(200);
    expect(done.json.task).toMatchObject({ status: "done", outcome: "connected" });
    expect(done.json.enrollment.current_step).toBe("recap");
    expect(
      (await api.call("POST", `/v1/tasks/${task.id}/complete`, { body: { outcome: "skip" } })).status,
    ).toBe(409);
    expect(
      (await api.call("POST", `/v1/tasks/${task.id}/complete`, { body: { outcome: "great" } })).status,
    ).toBe(422);

    const deal = await api.call("POST", "/v1/deals", {
      body: { name: "Cal's deal", stage: "qualified", contact_id: contactId },
    });
    const won = await api.call("POST", "/v1/events", {
      body: {
        type: "deal.stage_changed",
        contact_id: contactId,
        data: { deal_id: deal.json.id, to: "closed_won" },
      },
    });
    expect(won.json.events[0].affected[0]).toMatchObject({
      enrollment_id: enrollmentId,
      exit_reason: "stage_changed",
    });
  });

  it("a new suppression exits the running enrollments it covers, and later enrollments are skipped", async () => {
    const enrolled = await api.call("POST", "/v1/enrollments", {
      body: { sequence_id: "welcome", contacts: [{ email: "sue@blocked.test" }, { email: "sid@open.test" }] },
    });
    const [sue, sid] = enrolled.json.results;
    const added = await api.call("POST", "/v1/suppressions", {
      body: { kind: "domain", value: "Blocked.test" },
    });
    expect(added.status).toBe(201);
    expect(added.json.exited_enrollment_ids).toEqual([sue.enrollment.id]);
    expect((await api.call("GET", `/v1/enrollments/${sue.enrollment.id}`)).json).toMatchObject({
      status: "exited",
      exit_reason: "unsubscribed",
    });
    expect((await api.call("GET", `/v1/enrollments/${sid.enrollment.id}`)).json.status).toBe("active");
    const again = await api.call("POST", "/v1/enrollments", {
      body: { sequence_id: "welcome", email: "sam@blocked.test" },
    });
    expect(again.json.results[0]).toMatchObject({ status: "skipped", reason: "suppressed" });
  });

  it("classifies a raw email as a dry run, and a reply taken in through the API exits its enrollment", async () => {
    const ooo = [
      "From: Olga <olga@away.test>",
      "To: sam@sales.example",
      "Subject: Automatic reply: Hello",
      "Auto-Submitted: auto-replied",
      "Message-ID: <ooo-1@away.test>",
      "",
      "I am out of the office until 16 November 2026 with limited access to email.",
      "",
    ].join("\r\n");
    const dry = await api.call("POST", "/v1/inbound/classify", {
      key: api.keys.rep,
      raw: ooo,
      contentType: "message/rfc822",
    });
    expect(dry.status).toBe(200);
    expect(dry.json.class).toBe("auto_reply");
    expect(dry.json.message).toMatchObject({ from: "olga@away.test", subject: "Automatic reply: Hello" });
    expect((await countInbound()).n).toBe(0);
    const garbage = await api.call("POST", "/v1/inbound/classify", { body: { raw: "not an email at all" } });
    expect(garbage.status).toBe(422);
    expect(garbage.json.errors[0].field).toBe("raw");

    const enrolled = await api.call("POST", "/v1/enrollments", {
      body: { sequence_id: "welcome", contact: { email: "rex@reply.test", first_name: "Rex" } },
    });
    const enrollmentId = enrolled.json.results[0].enrollment.id;
    await api.call("POST", "/v1/sandbox/clock/advance", { body: { by: "1h" } });
    const sent = await api.engine.db
      .selectFrom("messages")
      .select("message_id_header")
      .where("enrollment_id", "=", enrollmentId)
      .where("status", "=", "sent")
      .executeTakeFirstOrThrow();
    const reply = [
      "From: Rex <rex@reply.test>",
      "To: sam@sales.example",
      "Subject: Re: Hello Rex",
      `In-Reply-To: <${sent.message_id_header}>`,
      "Message-ID: <reply-1@reply.test>",
      "",
      "Sounds interesting, can we talk on Thursday?",
      "",
    ].join("\r\n");
    expect(
      (
        await api.call("POST", "/v1/inbound/messages", {
          key: api.keys.rep,
          raw: reply,
          contentType: "message/rfc822",
        })
      ).status,
    ).toBe(403);
    const taken = await api.call("POST", "/v1/inbound/messages", {
      key: api.keys.ingest,
      raw: reply,
      contentType: "message/rfc822",
    });
    expect(taken.status).toBe(200);
    expect(taken.json).toMatchObject({
      duplicate: false,
      matched_by: "thread",
      classification: { class: "human_reply" },
    });
    expect((await api.call("GET", `/v1/enrollments/${enrollmentId}`)).json).toMatchObject({
      status: "exited",
      exit_reason: "replied",
    });
    const again = await api.call("POST", "/v1/inbound/messages", {
      key: api.keys.ingest,
      body: { raw: reply },
    });
    expect(again.json.duplicate).toBe(true);
  });

  it("applies contact.updated data to the contact before the event runs", async () => {
    const res = await api.call("POST", "/v1/events", {
      body: {
        events: [
          {
            type: "contact.updated",
            email: "upd@events.test",
            data: { first_name: "Una", plan: "team", time_zone: "Europe/Paris" },
          },
          { type: "acme.trial_started", email: "upd@events.test", data: { seats: 5 } },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.events).toHaveLength(2);
    const contact = await api.call("GET", `/v1/contacts/${res.json.events[0].contact_id}`);
    expect(contact.json).toMatchObject({
      first_name: "Una",
      time_zone: "Europe/Paris",
      fields: { plan: "team" },
    });
    const bad = await api.call("POST", "/v1/events", {
      body: { type: "contact.updated", email: "upd@events.test", data: { time_zone: "Nowhere/Land" } },
    });
    expect(bad.status).toBe(422);
    expect(bad.json.errors[0].field).toBe("data.time_zone");
  });

  it("simulates every path of a sequence without sending anything", async () => {
    const res = await api.call("POST", "/v1/sequences/welcome/simulate", {
      body: { contact: { first_name: "Sim" }, start: new Date(T0).toISOString() },
    });
    expect(res.status).toBe(200);
    expect(res.json.paths.length).toBeGreaterThan(1);
    const happy = res.json.paths[0];
    expect(happy.touches.map((t: { step: string }) => t.step)).toEqual(["hello", "follow_up"]);
    expect(happy.touches[0].subject).toBe("Hello Sim");
    const noBody = await api.call("POST", "/v1/sequences/welcome/simulate");
    expect(noBody.status).toBe(200);
    expect((await api.call("POST", "/v1/sequences/missing/simulate")).status).toBe(404);
  });

  it("archives a sequence out of the default list", async () => {
    await api.call("POST", "/v1/sequences/json-made/archive");
    const list = await api.call("GET", "/v1/sequences");
    expect(list.json.data.map((s: { key: string }) => s.key)).not.toContain("json-made");
    const archived = await api.call("GET", "/v1/sequences?status=archived");
    expect(archived.json.data.map((s: { key: string }) => s.key)).toEqual(["json-made"]);
  });
});
