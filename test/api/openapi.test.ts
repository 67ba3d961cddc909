import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestStore, type TestStore } from "../support/testStores.ts";
import { type ApiHarness, ContractChecker, openApiHarness } from "./harness.ts";

const ENDPOINTS = [
  "GET /healthz",
  "GET /readyz",
  "POST /v1/contacts",
  "GET /v1/contacts",
  "GET /v1/contacts/{id}",
  "PATCH /v1/contacts/{id}",
  "GET /v1/contacts/{id}/timeline",
  "POST /v1/contacts/import",
  "GET /v1/accounts",
  "GET /v1/accounts/{id}",
  "POST /v1/accounts",
  "POST /v1/deals",
  "GET /v1/deals",
  "GET /v1/deals/{id}",
  "POST /v1/deals/{id}/stage",
  "POST /v1/sequences",
  "PUT /v1/sequences/{id}",
  "GET /v1/sequences",
  "GET /v1/sequences/{id}",
  "GET /v1/sequences/{id}/versions",
  "POST /v1/sequences/{id}/activate",
  "POST /v1/sequences/{id}/pause",
  "POST /v1/sequences/{id}/archive",
  "POST /v1/sequences/{id}/simulate",
  "GET /v1/sequences/{id}/stats",
  "POST /v1/enrollments",
  "GET /v1/enrollments",
  "GET /v1/enrollments/{id}",
  "POST /v1/enrollments/{id}/pause",
  "POST /v1/enrollments/{id}/resume",
  "POST /v1/enrollments/{id}/exit",
  "GET /v1/enrollments/{id}/timeline",
  "POST /v1/events",
  "GET /v1/tasks",
  "GET /v1/tasks/{id}",
  "POST /v1/tasks/{id}/complete",
  "GET /v1/suppressions",
  "POST /v1/suppressions",
  "DELETE /v1/suppressions/{id}",
  "GET /v1/mailboxes",
  "POST /v1/mailboxes",
  "GET /v1/mailboxes/{id}",
  "PATCH /v1/mailboxes/{id}",
  "DELETE /v1/mailboxes/{id}",
  "GET /v1/users",
  "POST /v1/users",
  "GET /v1/keys",
  "POST /v1/keys",
  "DELETE /v1/keys/{id}",
  "GET /v1/workspace",
  "PATCH /v1/workspace",
  "POST /v1/workspace/live",
  "GET /v1/sandbox/messages",
  "GET /v1/sandbox/messages/{id}",
  "GET /v1/sandbox/clock",
  "POST /v1/sandbox/clock/advance",
  "POST /v1/inbound/classify",
  "POST /v1/inbound/messages",
];

describe("the OpenAPI document", () => {
  let store: TestStore;
  let api: ApiHarness;
  // biome-ignore lint/suspicious/noExplicitAny: the document is read as plain JSON
  let doc: any;
  beforeAll(async () => {
    store = await openTestStore("sqlite");
    api = await openApiHarness(store.engine);
    doc = (await api.app.inject({ method: "GET", url: "/openapi.json" })).json();
  });
  afterAll(async () => {
    await api.close();
    await store.close();
  });

  it("is OpenAPI 3.1 and documents every endpoint with its answers and problem+json errors", () => {
    expect(doc.openapi).toBe("3.1.0");
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`),
    );
    for (const endpoint of ENDPOINTS) expect(documented).toContain(endpoint);
    for (const endpoint of ENDPOINTS) {
      const [method, path] = endpoint.split(" ") as [string, string];
      const responses = doc.paths[path][method.toLowerCase()].responses;
      const success = Object.keys(responses).filter((s) => s.startsWith("2"));
      expect(success.length, endpoint).toBeGreaterThan(0);
      expect(Object.keys(responses["4XX"].content), endpoint).toEqual(["application/problem+json"]);
    }
    expect(doc.components.schemas.Problem).toBeDefined();
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
    expect(JSON.stringify(doc)).not.toContain("/docs/json");
  });

  it("describes request bodies from the same zod schemas that validate them", () => {
    const body = doc.paths["/v1/contacts"].post.requestBody.content["application/json"].schema;
    const schema = body.$ref ? doc.components.schemas[body.$ref.split("/").pop()] : body;
    expect(schema.required).toContain("email");
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["first_name", "time_zone", "tags", "fields"]),
    );
  });

  it("the contract checker catches an answer that does not fit the document", () => {
    const checker = new ContractChecker(doc);
    const contact = {
      id: "ct_1",
      email: null,
      first_name: null,
      last_name: null,
      title: null,
      phone: null,
      time_zone: null,
      account_id: null,
      owner_id: null,
      lifecycle_stage: null,
      tags: [],
      fields: {},
      sms_consent: "unknown",
      created_at: "2026-11-02T14:00:00.000Z",
      updated_at: "2026-11-02T14:00:00.000Z",
    };
    expect(
      checker.check("GET", "/v1/contacts/ct_1", 200, "application/json", JSON.stringify(contact)),
    ).toBeNull();
    expect(
      checker.check(
        "GET",
        "/v1/contacts/ct_1",
        200,
        "application/json",
        JSON.stringify({ ...contact, tags: "vip" }),
      ),
    ).toMatch(/tags/);
    expect(checker.check("GET", "/v1/contacts/ct_1", 404, "application/json", "{}")).toMatch(/content-type/);
    expect(checker.check("GET", "/v1/contacts/ct_1", 201, "application/json", "{}")).toMatch(
      /not documented/,
    );
  });
});
