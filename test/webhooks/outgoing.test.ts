// Outgoing webhooks against a real HTTP receiver on localhost: signed deliveries that verify,
// retries with backoff until a 2xx, one delivery per event, and a delivery log that says so.

import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/engine/clock.ts";
import {
  dispatchWebhooks,
  MAX_WEBHOOK_ATTEMPTS,
  webhookRetryDelayMs,
} from "../../src/engine/webhookDispatcher.ts";
import { createApiKey } from "../../src/store/repos/apiKeys.ts";
import { enqueueWebhookDeliveries, listWebhookDeliveries } from "../../src/store/repos/webhooks.ts";
import { createWorkspace } from "../../src/store/repos/workspaces.ts";
import { describeEachEngine } from "../support/testStores.ts";
import { adminKey, buildHookApp } from "./hookApp.ts";

const T0 = Date.UTC(2025, 10, 2, 15, 0, 0);
const MIN = 60_000;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver: answers each request with the next status of its script (then the last). */
class Receiver {
  readonly requests: Received[] = [];
  #statuses: number[] = [200];
  #server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const status = this.#statuses.length > 1 ? (this.#statuses.shift() ?? 200) : (this.#statuses[0] ?? 200);
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status >= 300 ? "receiver is having a bad day" : "ok");
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks/nudge`;
  }

  answer(...statuses: number[]): void {
    this.#statuses = statuses;
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** What a receiver should do, as docs/webhooks.md tells it. */
function verifyNudgeSignature(secret: string, header: string, body: string, nowUtcMs: number): boolean {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=") as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowUtcMs / 1000 - t) > 300) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${parts.t}.${body}`).digest("hex"));
  const given = Buffer.from(parts.v1 ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describeEachEngine("outgoing webhooks", (store) => {
  const clock = new ManualClock(T0);
  const receiver = new Receiver();
  let receiverUrl: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    receiverUrl = await receiver.start();
    app = await buildHookApp(store().engine, clock);
  });
  afterAll(async () => {
    await app.close();
    await receiver.stop();
  });

  async function subscribed(eventTypes: string[] = ["enrollment.exited", "task.created"]) {
    const { engine } = store();
    const ws = await createWorkspace(engine.db, { name: "Hooks" }, T0);
    const key = await adminKey(engine, ws.id, T0);
    const res = await app.inject({
      method: "POST",
      url: "/v1/webhooks",
      headers: { authorization: `Bearer ${key}` },
      payload: { url: receiverUrl, event_types: eventTypes },
    });
    expect(res.statusCode, res.body).toBe(201);
    const hook = res.json() as { id: string; secret: string; url: string; event_types: string[] };
    return { ws, key, hook };
  }

  /** Each test dispatches only its own deliveries, so tests do not steal each other's rows. */
  async function deliveryIdsOf(webhookId: string): Promise<string[]> {
    return (await listWebhookDeliveries(store().engine.db, webhookId)).map((d) => d.id);
  }

  it("a delivery is signed so the receiver can verify it, and carries its ids", async () => {
    const { engine } = store();
    const { ws, hook } = await subscribed();
    receiver.answer(200);
    await enqueueWebhookDeliveries(
      engine.db,
      ws.id,
      "enrollment.exited",
      { enrollment_id: "enr_1", reason: "replied" },
      T0,
    );
    const report = await dispatchWebhooks(engine, {
      nowUtcMs: T0,
      deliveryIds: await deliveryIdsOf(hook.id),
    });
    expect(report).toEqual({ delivered: 1, failed: 0, retried: 0 });

    const [request] = receiver.requests;
    expect(request).toBeDefined();
    if (!request) return;
    const signature = String(request.headers["nudge-signature"]);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(signature.startsWith(`t=${T0 / 1000},`)).toBe(true);
    expect(verifyNudgeSignature(hook.secret, signature, request.body, T0)).toBe(true);
    expect(verifyNudgeSignature("some-other-secret", signature, request.body, T0)).toBe(false);
    expect(verifyNudgeSignature(hook.secret, signature, `${request.body} `, T0)).toBe(false);
    expect(request.headers["nudge-webhook-id"]).toBe(hook.id);
    expect(request.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(request.body);
    expect(body).toEqual({
      id: request.headers["nudge-delivery-id"],
      type: "enrollment.exited",
      created_at: new Date(T0).toISOString(),
      data: { enrollment_id: "enr_1", reason: "replied" },
    });
  });

  it("a 500 then a 200 is retried after the backoff and delivered exactly once; the log shows both", async () => {
    const { engine } = store();
    const { ws, key, hook } = await subscribed();
    receiver.answer(500, 200);
    await enqueueWebhookDeliveries(engine.db, ws.id, "task.created", { task_id: "task_1" }, T0);
    const ids = await deliveryIdsOf(hook.id);
    const half = () => 0.5;

    expect(await dispatchWebhooks(engine, { nowUtcMs: T0, deliveryIds: ids, random: half })).toEqual({
      delivered: 0,
      failed: 0,
      retried: 1,
    });
    const [afterFailure] = await listWebhookDeliveries(engine.db, hook.id);
    expect(afterFailure).toMatchObject({
      status: "pending",
      attempt_count: 1,
      response_status: 500,
      next_attempt_at: T0 + MIN,
    });
    expect(afterFailure?.last_error).toContain("HTTP 500");

    // Not due yet: nothing is sent before the backoff ends.
    expect(await dispatchWebhooks(engine, { nowUtcMs: T0 + MIN - 1, deliveryIds: ids })).toEqual({
      delivered: 0,
      failed: 0,
      retried: 0,
    });
    expect(await dispatchWebhooks(engine, { nowUtcMs: T0 + MIN, deliveryIds: ids })).toEqual({
      delivered: 1,
      failed: 0,
      retried: 0,
    });
    expect(await dispatchWebhooks(engine, { nowUtcMs: T0 + 60 * MIN, deliveryIds: ids })).toEqual({
      delivered: 0,
      failed: 0,
      retried: 0,
    });

    expect(receiver.requests).toHaveLength(2);
    const [first, second] = receiver.requests;
    expect(second?.body).toBe(first?.body);
    expect(second?.headers["nudge-delivery-id"]).toBe(first?.headers["nudge-delivery-id"]);
    expect(
      verifyNudgeSignature(
        hook.secret,
        String(second?.headers["nudge-signature"]),
        second?.body ?? "",
        T0 + MIN,
      ),
    ).toBe(true);

    const log = await app.inject({
      method: "GET",
      url: `/v1/webhooks/${hook.id}/deliveries`,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(log.statusCode, log.body).toBe(200);
    expect(log.json()).toEqual({
      data: [
        expect.objectContaining({
          event_type: "task.created",
          status: "delivered",
          attempt_count: 2,
          max_attempts: 8,
          response_status: 200,
          last_error: null,
          next_attempt_at: null,
          delivered_at: new Date(T0 + MIN).toISOString(),
          payload: { task_id: "task_1" },
        }),
      ],
      next_cursor: null,
    });
  });

  it("a receiver that never answers 2xx gets 8 attempts with doubling waits, then the delivery fails", async () => {
    const { engine } = store();
    const { ws, hook } = await subscribed();
    receiver.answer(503);
    await enqueueWebhookDeliveries(engine.db, ws.id, "enrollment.exited", { enrollment_id: "enr_2" }, T0);
    const ids = await deliveryIdsOf(hook.id);
    let now = T0;
    const waits: number[] = [];
    for (let attempt = 1; attempt <= MAX_WEBHOOK_ATTEMPTS; attempt++) {
      const report = await dispatchWebhooks(engine, { nowUtcMs: now, deliveryIds: ids, random: () => 0.5 });
      const [row] = await listWebhookDeliveries(engine.db, hook.id);
      if (attempt < MAX_WEBHOOK_ATTEMPTS) {
        expect(report.retried).toBe(1);
        waits.push(Number(row?.next_attempt_at) - now);
        now = Number(row?.next_attempt_at);
      } else {
        expect(report).toEqual({ delivered: 0, failed: 1, retried: 0 });
        expect(row).toMatchObject({
          status: "failed",
          attempt_count: 8,
          response_status: 503,
          next_attempt_at: null,
        });
      }
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64].map((m) => m * MIN));
    expect(receiver.requests).toHaveLength(8);
    expect(await dispatchWebhooks(engine, { nowUtcMs: now + 1_000 * MIN, deliveryIds: ids })).toEqual({
      delivered: 0,
      failed: 0,
      retried: 0,
    });
  });

  it("jitter spreads retries by at most a fifth either way", () => {
    expect(webhookRetryDelayMs(1, 0)).toBe(0.8 * MIN);
    expect(webhookRetryDelayMs(1, 0.999999)).toBeLessThanOrEqual(1.2 * MIN);
    expect(webhookRetryDelayMs(3, 0.5)).toBe(4 * MIN);
  });

  it("a receiver that cannot be reached is retried, with the reason in the log", async () => {
    const { engine } = store();
    const { ws, hook } = await subscribed();
    await engine.db
      .updateTable("webhooks")
      .set({ url: "http://127.0.0.1:9/unreachable" })
      .where("id", "=", hook.id)
      .execute();
    await enqueueWebhookDeliveries(engine.db, ws.id, "task.created", { task_id: "task_9" }, T0);
    const report = await dispatchWebhooks(engine, {
      nowUtcMs: T0,
      deliveryIds: await deliveryIdsOf(hook.id),
    });
    expect(report.retried).toBe(1);
    const [row] = await listWebhookDeliveries(engine.db, hook.id);
    expect(row).toMatchObject({ status: "pending", response_status: null });
    expect(row?.last_error).toMatch(/request failed/);
  });

  it("concurrent dispatchers deliver each delivery once", async () => {
    const { engine } = store();
    const { ws, hook } = await subscribed(["*"]);
    receiver.answer(200);
    for (let i = 0; i < 20; i++) {
      await enqueueWebhookDeliveries(engine.db, ws.id, "task.created", { task_id: `task_${i}` }, T0);
    }
    const ids = await deliveryIdsOf(hook.id);
    const reports = await Promise.all(
      [0, 1, 2].map(() => dispatchWebhooks(engine, { nowUtcMs: T0, deliveryIds: ids, limit: 7 })),
    );
    const more = await dispatchWebhooks(engine, { nowUtcMs: T0, deliveryIds: ids });
    const delivered = reports.reduce((n, r) => n + r.delivered, more.delivered);
    expect(delivered).toBe(20);
    const seen = receiver.requests.map((r) => r.headers["nudge-delivery-id"]);
    expect(seen).toHaveLength(20);
    expect(new Set(seen).size).toBe(20);
  });

  describe("admin routes", () => {
    it("create shows the secret once; list and deliveries never do; delete fails pending deliveries", async () => {
      const { engine } = store();
      const { ws, key, hook } = await subscribed();
      expect(hook.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
      const auth = { authorization: `Bearer ${key}` };

      const list = await app.inject({ method: "GET", url: "/v1/webhooks", headers: auth });
      expect(list.statusCode).toBe(200);
      expect(list.json().data).toEqual([
        {
          id: hook.id,
          url: receiverUrl,
          event_types: ["enrollment.exited", "task.created"],
          active: true,
          created_at: new Date(T0).toISOString(),
        },
      ]);
      expect(list.body).not.toContain(hook.secret);

      await enqueueWebhookDeliveries(engine.db, ws.id, "task.created", { task_id: "t" }, T0);
      const removed = await app.inject({ method: "DELETE", url: `/v1/webhooks/${hook.id}`, headers: auth });
      expect(removed.statusCode, removed.body).toBe(204);
      const [row] = await listWebhookDeliveries(engine.db, hook.id);
      expect(row).toMatchObject({ status: "failed", last_error: "the webhook was deleted" });
      expect((await app.inject({ method: "GET", url: "/v1/webhooks", headers: auth })).json().data).toEqual(
        [],
      );
      expect(
        (await app.inject({ method: "DELETE", url: `/v1/webhooks/${hook.id}`, headers: auth })).statusCode,
      ).toBe(404);
      // Events after the delete queue nothing for it.
      expect(await enqueueWebhookDeliveries(engine.db, ws.id, "task.created", {}, T0)).toBe(0);
    });

    it("the test route sends a signed webhook.test now and answers with the logged attempt", async () => {
      const { key, hook } = await subscribed();
      receiver.answer(204);
      const res = await app.inject({
        method: "POST",
        url: `/v1/webhooks/${hook.id}/test`,
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        event_type: "webhook.test",
        status: "delivered",
        response_status: 204,
        attempt_count: 1,
      });
      const [request] = receiver.requests;
      expect(JSON.parse(request?.body ?? "{}").type).toBe("webhook.test");
      expect(
        verifyNudgeSignature(
          hook.secret,
          String(request?.headers["nudge-signature"]),
          request?.body ?? "",
          T0,
        ),
      ).toBe(true);
    });

    it("bad input is a 422 naming the field; another workspace's webhook is 404; rep keys are refused", async () => {
      const { engine } = store();
      const { key, hook } = await subscribed();
      const auth = { authorization: `Bearer ${key}` };
      const badUrl = await app.inject({
        method: "POST",
        url: "/v1/webhooks",
        headers: auth,
        payload: { url: "ftp://x.example", event_types: ["task.created"] },
      });
      expect(badUrl.statusCode).toBe(422);
      expect(badUrl.json().errors[0].field).toBe("url");
      const badType = await app.inject({
        method: "POST",
        url: "/v1/webhooks",
        headers: auth,
        payload: { url: receiverUrl, event_types: ["task.deleted"] },
      });
      expect(badType.statusCode).toBe(422);
      expect(badType.json().errors[0].field).toBe("event_types[0]");

      const other = await createWorkspace(engine.db, { name: "Other" }, T0);
      const otherKey = await adminKey(engine, other.id, T0);
      const stolen = await app.inject({
        method: "GET",
        url: `/v1/webhooks/${hook.id}/deliveries`,
        headers: { authorization: `Bearer ${otherKey}` },
      });
      expect(stolen.statusCode).toBe(404);

      const rep = (await createApiKey(engine.db, other.id, { name: "rep", scopes: ["rep"] }, T0)).key;
      expect(
        (
          await app.inject({
            method: "GET",
            url: "/v1/webhooks",
            headers: { authorization: `Bearer ${rep}` },
          })
        ).statusCode,
      ).toBe(403);
    });
  });
});
