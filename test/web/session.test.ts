// Signing people in to the web app (/v1/session) and the two reads added for it (/v1/inbox,
// POST /v1/sequences/validate), on SQLite and PostgreSQL, through the real server.

import { afterAll, beforeAll, expect, it } from "vitest";
import { createLoginLink, hashPassword } from "../../src/api/routes/session.ts";
import { createUser } from "../../src/store/repos/users.ts";
import { type ApiHarness, openApiHarness, T0, twoEmailSequence } from "../api/harness.ts";
import { describeEachEngine } from "../support/testStores.ts";

const HOUR_MS = 3_600_000;

function cookieOf(res: { headers: Record<string, unknown> }): string {
  const header = String(res.headers["set-cookie"] ?? "");
  const match = /^(nudge_session=[^;]*)/.exec(header);
  if (!match?.[1]) throw new Error(`no session cookie in ${header}`);
  return match[1];
}

describeEachEngine("web sessions", (store) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await openApiHarness(store().engine);
  });
  afterAll(async () => {
    await api.close();
  });

  const asCookie = (cookie: string, write = false) => ({
    key: null,
    headers: { cookie, ...(write ? { "x-requested-with": "nudge" } : {}) },
  });

  it("a sign-in link works once, for the workspace owner it creates, and sets an HttpOnly SameSite cookie", async () => {
    api.clock.set(T0);
    const link = await createLoginLink(api.engine.db, api.workspace.id, T0);
    expect(link.user).toMatchObject({ role: "admin", email: "owner@nudge.local" });
    const again = await createLoginLink(api.engine.db, api.workspace.id, T0);
    expect(again.user.id).toBe(link.user.id);

    const res = await api.call("POST", "/v1/session", { key: null, body: { token: link.token } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ user: { id: link.user.id, has_password: false }, scopes: ["admin"] });
    const setCookie = String(res.headers["set-cookie"]);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Secure/); // the harness's public URL is https

    const reused = await api.call("POST", "/v1/session", { key: null, body: { token: link.token } });
    expect(reused.status).toBe(401);

    const cookie = cookieOf(res);
    const me = await api.call("GET", "/v1/session", asCookie(cookie));
    expect(me.json.user.email).toBe("owner@nudge.local");
    expect((await api.call("GET", "/v1/contacts", asCookie(cookie))).status).toBe(200);
  });

  it("an expired link is refused", async () => {
    const link = await createLoginLink(api.engine.db, api.workspace.id, T0);
    api.clock.set(T0 + 25 * HOUR_MS);
    const res = await api.call("POST", "/v1/session", { key: null, body: { token: link.token } });
    expect(res.status).toBe(401);
    api.clock.set(T0);
  });

  it("cookie writes need the CSRF header; a rep's session has the rep scope only", async () => {
    await createUser(
      api.engine.db,
      api.workspace.id,
      {
        email: "rita@example.com",
        name: "Rita",
        role: "rep",
        passwordHash: await hashPassword("s3cret-enough"),
      },
      T0,
    );
    const wrong = await api.call("POST", "/v1/session", {
      key: null,
      body: { email: "rita@example.com", password: "not it" },
    });
    expect(wrong.status).toBe(401);
    const unknown = await api.call("POST", "/v1/session", {
      key: null,
      body: { email: "nobody@example.com", password: "s3cret-enough" },
    });
    expect(unknown.status).toBe(401);
    const res = await api.call("POST", "/v1/session", {
      key: null,
      body: { email: "RITA@example.com", password: "s3cret-enough" },
    });
    expect(res.status).toBe(201);
    expect(res.json.scopes).toEqual(["rep"]);
    const cookie = cookieOf(res);

    const contact = { email: "ada@example.com", first_name: "Ada" };
    const noHeader = await api.call("POST", "/v1/contacts", { ...asCookie(cookie), body: contact });
    expect(noHeader.status).toBe(403);
    const withHeader = await api.call("POST", "/v1/contacts", { ...asCookie(cookie, true), body: contact });
    expect(withHeader.status).toBe(201);
    const adminOnly = await api.call("POST", "/v1/sequences", {
      ...asCookie(cookie, true),
      raw: twoEmailSequence("rep-cannot"),
      contentType: "application/yaml",
    });
    expect(adminOnly.status).toBe(403);
  });

  it("an admin hands a teammate a one-time sign-in link; a rep cannot", async () => {
    const rep = await createUser(
      api.engine.db,
      api.workspace.id,
      { email: "bo@example.com", name: "Bo" },
      T0,
    );
    expect(
      (await api.call("POST", "/v1/session/links", { key: api.keys.rep, body: { user_id: rep.id } })).status,
    ).toBe(403);
    const missing = await api.call("POST", "/v1/session/links", { body: { user_id: "usr_nope" } });
    expect(missing.status).toBe(422);
    const link = await api.call("POST", "/v1/session/links", { body: { user_id: rep.id } });
    expect(link.status).toBe(201);
    expect(link.json.url).toMatch(/^https:\/\/nudge\.example\.test\/login#token=[\w-]+$/);
    const token = String(link.json.url).split("#token=")[1];
    const res = await api.call("POST", "/v1/session", { key: null, body: { token } });
    expect(res.json).toMatchObject({ user: { id: rep.id, role: "rep" }, scopes: ["rep"] });
  });

  it("sets and changes a password; the current one is needed once set", async () => {
    const link = await createLoginLink(api.engine.db, api.workspace.id, T0);
    const cookie = cookieOf(
      await api.call("POST", "/v1/session", { key: null, body: { token: link.token } }),
    );
    const short = await api.call("PUT", "/v1/session/password", {
      ...asCookie(cookie, true),
      body: { new_password: "short" },
    });
    expect(short.status).toBe(422);
    const first = await api.call("PUT", "/v1/session/password", {
      ...asCookie(cookie, true),
      body: { new_password: "first password" },
    });
    expect(first.status).toBe(204);
    const missing = await api.call("PUT", "/v1/session/password", {
      ...asCookie(cookie, true),
      body: { new_password: "second password" },
    });
    expect(missing.status).toBe(422);
    const second = await api.call("PUT", "/v1/session/password", {
      ...asCookie(cookie, true),
      body: { current_password: "first password", new_password: "second password" },
    });
    expect(second.status).toBe(204);
    const signIn = await api.call("POST", "/v1/session", {
      key: null,
      body: { email: "owner@nudge.local", password: "second password" },
    });
    expect(signIn.status).toBe(201);
    // An API key has no user to set a password for.
    expect(
      (await api.call("PUT", "/v1/session/password", { body: { new_password: "x".repeat(12) } })).status,
    ).toBe(409);
  });

  it("sessions end after 14 days and on sign-out", async () => {
    const link = await createLoginLink(api.engine.db, api.workspace.id, T0);
    const cookie = cookieOf(
      await api.call("POST", "/v1/session", { key: null, body: { token: link.token } }),
    );
    const out = await api.call("DELETE", "/v1/session", asCookie(cookie, true));
    expect(out.status).toBe(204);
    expect(String(out.headers["set-cookie"])).toMatch(/Max-Age=0/);
    expect((await api.call("GET", "/v1/session", asCookie(cookie))).status).toBe(401);

    const link2 = await createLoginLink(api.engine.db, api.workspace.id, T0);
    const cookie2 = cookieOf(
      await api.call("POST", "/v1/session", { key: null, body: { token: link2.token } }),
    );
    api.clock.set(T0 + 13 * 24 * HOUR_MS);
    expect((await api.call("GET", "/v1/session", asCookie(cookie2))).status).toBe(200);
    api.clock.set(T0 + 15 * 24 * HOUR_MS);
    expect((await api.call("GET", "/v1/session", asCookie(cookie2))).status).toBe(401);
    api.clock.set(T0);
  });

  it("validates a sequence source without saving it: errors at their line, or the steps", async () => {
    const broken = twoEmailSequence("check-me").replace("wait: 1d", "wait: 1 dya");
    const bad = await api.call("POST", "/v1/sequences/validate", { body: { source: broken } });
    expect(bad.status).toBe(200);
    expect(bad.json.ok).toBe(false);
    expect(bad.json.sequence).toBeNull();
    const line = broken.split("\n").findIndex((l) => l.includes("1 dya")) + 1;
    expect(bad.json.errors[0]).toMatchObject({ line, path: "steps[1].wait" });

    const good = await api.call("POST", "/v1/sequences/validate", {
      key: api.keys.rep,
      body: { source: twoEmailSequence("check-me") },
    });
    expect(good.json).toMatchObject({
      ok: true,
      errors: [],
      sequence: {
        id: "check-me",
        steps: [
          { id: "hello", kind: "email", wait: "right away" },
          { id: "follow_up", kind: "email", wait: "1 day" },
        ],
      },
    });
    expect((await api.call("GET", "/v1/sequences/check-me")).status).toBe(404);
  });

  it("lists inbound replies in the inbox with contact and intent, and corrects the label", async () => {
    await api.call("POST", "/v1/contacts", { body: { email: "grace@example.com", first_name: "Grace" } });
    const raw = [
      "From: Grace <grace@example.com>",
      "To: rep@yourco.example",
      "Subject: Pricing?",
      "Message-ID: <inbox-1@example.com>",
      "Date: Mon, 02 Nov 2026 15:00:00 +0000",
      "",
      "Can you send me your pricing for 20 seats?",
      "",
    ].join("\r\n");
    const taken = await api.call("POST", "/v1/inbound/messages", { raw, contentType: "message/rfc822" });
    expect(taken.status).toBe(200);
    const inbox = await api.call("GET", "/v1/inbox?class=human_reply", { key: api.keys.rep });
    expect(inbox.status).toBe(200);
    const item = inbox.json.data.find((m: { id: string }) => m.id === taken.json.id);
    expect(item).toMatchObject({
      class: "human_reply",
      subject: "Pricing?",
      contact: { email: "grace@example.com", name: "Grace" },
    });
    const patched = await api.call("PATCH", `/v1/inbox/${item.id}`, {
      key: api.keys.rep,
      body: { intent: "not_interested" },
    });
    expect(patched.status).toBe(204);
    const after = await api.call("GET", "/v1/inbox");
    expect(after.json.data.find((m: { id: string }) => m.id === item.id).intent).toBe("not_interested");
    expect((await api.call("PATCH", "/v1/inbox/inb_nope", { body: { intent: "x" } })).status).toBe(404);

    const later = await api.call("POST", `/v1/inbox/${item.id}/reengage`, {
      key: api.keys.rep,
      body: { days: 30 },
    });
    expect(later.status).toBe(201);
    const task = await api.call("GET", `/v1/tasks/${later.json.task_id}`);
    expect(task.json).toMatchObject({
      type: "task",
      status: "open",
      title: "Re-engage Grace (asked 30 days ago)",
    });
    expect(Date.parse(task.json.due_at) - Date.parse(later.json.due_at)).toBe(0);
    expect(Date.parse(later.json.due_at)).toBe(T0 + 30 * 24 * HOUR_MS);
    const twice = await api.call("POST", `/v1/inbox/${item.id}/reengage`, { body: { days: 30 } });
    expect(twice.json.task_id).toBe(later.json.task_id);
    expect((await api.call("POST", `/v1/inbox/${item.id}/reengage`, { body: { days: 0 } })).status).toBe(422);
    expect((await api.call("GET", "/v1/inbox", { key: api.keys.ingest })).status).toBe(403);
  });
});
