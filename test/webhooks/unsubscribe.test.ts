// Unsubscribe through the link every email carries: GET only asks, a POST (RFC 8058 one-click
// or the page's form) suppresses the address and exits every running enrollment before the
// answer; forged tokens are 404; repeating changes nothing.

import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../src/channels/email/signedToken.ts";
import { ManualClock } from "../../src/engine/clock.ts";
import { sendDueMessages } from "../../src/engine/outboxSender.ts";
import { listCapturedMessages } from "../../src/store/repos/capturedMessages.ts";
import { enrollmentsOfContact } from "../../src/store/repos/enrollments.ts";
import { messagesOfContact } from "../../src/store/repos/messages.ts";
import { emailSuppression, removeSuppression } from "../../src/store/repos/suppressions.ts";
import { workspaceSettings } from "../../src/store/repos/workspaces.ts";
import type { Workspace } from "../../src/store/schema.ts";
import { ALWAYS_OPEN, enroll, makeContact, makeSequence, makeWorkspace } from "../support/engineFixtures.ts";
import { describeEachEngine } from "../support/testStores.ts";
import { buildHookApp, PUBLIC_URL, rowCounts } from "./hookApp.ts";

const T0 = Date.UTC(2025, 10, 3, 14, 0, 0);
const ONE_CLICK = "List-Unsubscribe=One-Click";

const TWO_EMAILS = (id: string) => `id: ${id}
name: Two emails
${ALWAYS_OPEN}steps:
  - id: one
    email:
      subject: "Hello {{ contact.first_name }}"
      body: "First note."
  - id: two
    wait: 3d
    email:
      thread: true
      body: "Second note."
`;

/** The https URL of the List-Unsubscribe header, as a mail client reads it (folded lines joined). */
function listUnsubscribeUrl(raw: string): string {
  const headers = raw.split(/\r?\n\r?\n/)[0]?.replace(/\r?\n[ \t]+/g, " ") ?? "";
  const line = headers.split(/\r?\n/).find((l) => /^list-unsubscribe:/i.test(l)) ?? "";
  const url = /<(https?:\/\/[^>]+)>/.exec(line)?.[1];
  if (!url) throw new Error(`no https List-Unsubscribe in:\n${headers}`);
  return url;
}

describeEachEngine("unsubscribe", (store) => {
  const clock = new ManualClock(T0);
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await buildHookApp(store().engine, clock);
  });
  afterAll(async () => {
    await app.close();
  });

  /** A contact in two running sequences who got the first email of one; its unsubscribe path. */
  async function emailed(name: string) {
    const { engine } = store();
    const ws = await makeWorkspace(engine, T0);
    const contact = await makeContact(engine, ws, { email: `${name}@unsub.test`, firstName: name }, T0);
    await enroll(engine, ws, await makeSequence(engine, ws, TWO_EMAILS(`a-${name}`), T0), contact.id, T0);
    await enroll(engine, ws, await makeSequence(engine, ws, TWO_EMAILS(`b-${name}`), T0), contact.id, T0 + 1);
    await sendDueMessages(
      { engine, emailTransport: null, publicUrl: PUBLIC_URL },
      { nowUtcMs: T0, workspaceId: ws.id, limit: 1 },
    );
    const [captured] = await listCapturedMessages(engine.db, ws.id, { toAddress: `${name}@unsub.test` });
    if (!captured) throw new Error("nothing was captured");
    const url = listUnsubscribeUrl(captured.raw);
    expect(url.startsWith(`${PUBLIC_URL}/u/`)).toBe(true);
    return { ws, contact, path: url.slice(PUBLIC_URL.length) };
  }

  const post = (path: string, payload: string, contentType = "application/x-www-form-urlencoded") =>
    app.inject({ method: "POST", url: path, headers: { "content-type": contentType }, payload });

  it("GET shows a confirmation form and unsubscribes nothing (link scanners follow GETs)", async () => {
    const { engine } = store();
    const { ws, contact, path } = await emailed("gina");
    const before = await rowCounts(engine);
    for (const method of ["GET", "HEAD"] as const) {
      const res = await app.inject({ method, url: path });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toContain("text/html");
      expect(res.headers["cache-control"]).toBe("no-store");
      expect(res.headers["set-cookie"]).toBeUndefined();
      if (method === "GET") {
        expect(res.body).toContain('<form method="post">');
        expect(res.body).toContain("g•••@unsub.test");
      }
    }
    expect(await rowCounts(engine)).toEqual(before);
    expect(await emailSuppression(engine.db, ws.id, "gina@unsub.test")).toBeUndefined();
    const running = (await enrollmentsOfContact(engine.db, contact.id)).filter((e) => e.status === "active");
    expect(running).toHaveLength(2);
  });

  it("a one-click POST suppresses the address and exits every running enrollment before it answers", async () => {
    const { engine } = store();
    const { ws, contact, path } = await emailed("olga");
    const res = await post(path, ONE_CLICK);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toBe("");
    expect(res.headers.location).toBeUndefined();
    expect(res.headers["set-cookie"]).toBeUndefined();

    expect(await emailSuppression(engine.db, ws.id, "OLGA@unsub.test")).toMatchObject({
      reason: "unsubscribed",
      source: "one_click",
    });
    const enrollments = await enrollmentsOfContact(engine.db, contact.id);
    expect(enrollments.map((e) => [e.status, e.exit_reason])).toEqual([
      ["exited", "unsubscribed"],
      ["exited", "unsubscribed"],
    ]);
    const queued = (await messagesOfContact(engine.db, contact.id)).filter((m) => m.status === "queued");
    expect(queued).toHaveLength(0);
    const events = await engine.db
      .selectFrom("events")
      .selectAll()
      .where("contact_id", "=", contact.id)
      .where("type", "=", "contact.unsubscribed")
      .execute();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]?.data_json ?? "{}")).toMatchObject({
      via: "one_click",
      email: "olga@unsub.test",
    });
  });

  it("a one-click POST sent as multipart/form-data works the same", async () => {
    const { engine } = store();
    const { ws, path } = await emailed("mona");
    const boundary = "----nudge-test-boundary";
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const res = await post(path, body, `multipart/form-data; boundary=${boundary}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toBe("");
    expect(await emailSuppression(engine.db, ws.id, "mona@unsub.test")).toMatchObject({
      source: "one_click",
    });
  });

  it("the confirmation form's POST unsubscribes (source link) and says so", async () => {
    const { engine } = store();
    const { ws, contact, path } = await emailed("lena");
    const res = await post(path, "confirm=yes");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.body).toContain("You&#39;re unsubscribed");
    expect(await emailSuppression(engine.db, ws.id, "lena@unsub.test")).toMatchObject({ source: "link" });
    const statuses = (await enrollmentsOfContact(engine.db, contact.id)).map((e) => e.exit_reason);
    expect(statuses).toEqual(["unsubscribed", "unsubscribed"]);
  });

  it("a repeated POST answers 200 and changes nothing", async () => {
    const { engine } = store();
    const { ws, path } = await emailed("rita");
    expect((await post(path, ONE_CLICK)).statusCode).toBe(200);
    const first = await emailSuppression(engine.db, ws.id, "rita@unsub.test");
    const after = await rowCounts(engine);
    clock.advance(60_000);
    expect((await post(path, ONE_CLICK)).statusCode).toBe(200);
    expect((await post(path, "confirm=yes")).statusCode).toBe(200);
    expect(await rowCounts(engine)).toEqual(after);
    expect(await emailSuppression(engine.db, ws.id, "rita@unsub.test")).toEqual(first);
  });

  it("an old link used again after someone lifted the suppression and re-enrolled still stops everything", async () => {
    const { engine } = store();
    const { ws, contact, path } = await emailed("nina");
    expect((await post(path, ONE_CLICK)).statusCode).toBe(200);
    const suppression = await emailSuppression(engine.db, ws.id, "nina@unsub.test");
    await removeSuppression(engine.db, ws.id, suppression?.id ?? "");
    const again = await enroll(
      engine,
      ws,
      await makeSequence(engine, ws, TWO_EMAILS("c-nina"), T0),
      contact.id,
      T0 + 2,
    );

    expect((await post(path, ONE_CLICK)).statusCode).toBe(200);
    expect(await emailSuppression(engine.db, ws.id, "nina@unsub.test")).toMatchObject({
      reason: "unsubscribed",
    });
    const after = (await enrollmentsOfContact(engine.db, contact.id)).find((e) => e.id === again.id);
    expect(after).toMatchObject({ status: "exited", exit_reason: "unsubscribed" });
  });

  describe("forged tokens", () => {
    async function forgeries(ws: Workspace, path: string): Promise<string[]> {
      const token = path.slice("/u/".length);
      const [body, tag] = token.split(".");
      const messageId =
        Buffer.from(body ?? "", "base64url")
          .toString("utf8")
          .split(":")[1] ?? "";
      const flipped = `${tag?.[0] === "A" ? "B" : "A"}${tag?.slice(1)}`;
      return [
        `/u/${body}.${flipped}`,
        `/u/${body}.${tag}x`,
        `/u/${body}`,
        `/u/${signToken("another workspace's secret", { purpose: "u", messageId })}`,
        `/u/${signToken(workspaceSettings(ws).secret ?? "", { purpose: "c", messageId, link: 0 })}`,
        `/u/${signToken(workspaceSettings(ws).secret ?? "", { purpose: "u", messageId: "msg_nope" })}`,
        "/u/not-a-token",
      ];
    }

    it("an altered, foreign or forged token is 404 on GET and POST and changes nothing", async () => {
      const { engine } = store();
      const { ws, path } = await emailed("fred");
      const before = await rowCounts(engine);
      for (const forged of await forgeries(ws, path)) {
        expect((await app.inject({ method: "GET", url: forged })).statusCode, forged).toBe(404);
        const res = await post(forged, ONE_CLICK);
        expect(res.statusCode, forged).toBe(404);
        expect(res.headers.location).toBeUndefined();
      }
      expect(await rowCounts(engine)).toEqual(before);
      expect(await emailSuppression(engine.db, ws.id, "fred@unsub.test")).toBeUndefined();
    });
  });
});
