// The webhook and unsubscribe plugins inside the real API server: its root form parser, auth,
// NUL guard and OpenAPI document live alongside the raw-body scope and the public routes.

import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildServer } from "../../src/api/server.ts";
import { signToken } from "../../src/channels/email/signedToken.ts";
import { ManualClock } from "../../src/engine/clock.ts";
import { genericSignatureHeader } from "../../src/inbound/webhooks/genericSignature.ts";
import { upsertContact } from "../../src/store/repos/contacts.ts";
import { insertOutboxMessage } from "../../src/store/repos/messages.ts";
import { emailSuppression } from "../../src/store/repos/suppressions.ts";
import { createWorkspace, workspaceSettings } from "../../src/store/repos/workspaces.ts";
import { describeEachEngine } from "../support/testStores.ts";
import { adminKey, PUBLIC_URL } from "./hookApp.ts";

const T0 = Date.UTC(2025, 10, 4, 10, 0, 0);

describeEachEngine("webhooks in the API server", (store) => {
  const clock = new ManualClock(T0);
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await buildServer({ engine: store().engine, clock, publicUrl: PUBLIC_URL, logger: false });
  });
  afterAll(async () => {
    await app.close();
  });

  it("a signed generic delivery and a one-click unsubscribe work through the whole server", async () => {
    const { engine } = store();
    const ws = await createWorkspace(engine.db, { name: "Server" }, T0);
    const key = await adminKey(engine, ws.id, T0);
    const secret = "0123456789abcdef0123456789abcdef";
    const put = await app.inject({
      method: "PUT",
      url: "/v1/hooks/config",
      headers: { authorization: `Bearer ${key}` },
      payload: { sources: { crm: { secret, eventType: "form.submitted", mapping: { email: "email" } } } },
    });
    expect(put.statusCode, put.body).toBe(200);

    const body = Buffer.from('{"email":"kim@server.test"}');
    const hook = await app.inject({
      method: "POST",
      url: `/v1/hooks/${ws.id}/generic/crm`,
      headers: {
        "content-type": "application/json",
        "x-nudge-signature": genericSignatureHeader(secret, T0 / 1000, body),
      },
      payload: body,
    });
    expect(hook.statusCode, hook.body).toBe(200);
    expect(hook.json().events[0].type).toBe("form.submitted");

    const contact = (await upsertContact(engine.db, ws.id, { email: "kim@server.test" }, T0)).contact;
    const { message } = await insertOutboxMessage(
      engine.db,
      {
        workspace_id: ws.id,
        contact_id: contact.id,
        channel: "email",
        idempotency_key: `srv-${ws.id}`,
        to_address: "kim@server.test",
      },
      T0,
    );
    const token = signToken(workspaceSettings(ws).secret ?? "", { purpose: "u", messageId: message.id });
    const oneClick = await app.inject({
      method: "POST",
      url: `/u/${token}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "List-Unsubscribe=One-Click",
    });
    expect(oneClick.statusCode, oneClick.body).toBe(200);
    expect(await emailSuppression(engine.db, ws.id, "kim@server.test")).toMatchObject({
      source: "one_click",
    });
  });

  it("the OpenAPI document lists the webhook and unsubscribe routes", async () => {
    const res = await app.inject({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/v1/hooks/config",
        "/v1/hooks/{workspaceId}/hubspot",
        "/v1/hooks/{workspaceId}/calendly",
        "/v1/hooks/{workspaceId}/generic/{source}",
        "/v1/webhooks",
        "/v1/webhooks/{id}",
        "/v1/webhooks/{id}/deliveries",
        "/v1/webhooks/{id}/test",
        "/u/{token}",
      ]),
    );
  });
});
