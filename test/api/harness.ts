// The API under test: a real server on a real store (SQLite or PostgreSQL), a workspace on a
// pinned test clock, one key per scope, and a `call` that checks every answer against the
// OpenAPI document the server itself publishes (the contract test runs inside every test).

import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import type { Logger } from "pino";
import { buildServer } from "../../src/api/server.ts";
import { ManualClock } from "../../src/engine/clock.ts";
import type { StoreEngine } from "../../src/store/dialect/storeEngine.ts";
import { createApiKey } from "../../src/store/repos/apiKeys.ts";
import { createWorkspace, setWorkspaceClock } from "../../src/store/repos/workspaces.ts";
import type { Workspace } from "../../src/store/schema.ts";

/** Monday 2026-11-02 14:00 UTC = 09:00 in New York. */
export const T0 = Date.UTC(2026, 10, 2, 14, 0, 0);
export const DAY_MS = 86_400_000;

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely
  json: any;
}

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as is (CSV, YAML, broken JSON); `contentType` says what it is. */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ApiHarness {
  app: FastifyInstance;
  engine: StoreEngine;
  clock: ManualClock;
  workspace: Workspace;
  keys: { admin: string; rep: string; ingest: string };
  call(method: string, url: string, opts?: CallOptions): Promise<ApiResponse>;
  close(): Promise<void>;
}

/** Validates answers against the document's response schema for the matched path and status. */
export class ContractChecker {
  readonly #ajv = new Ajv2020({
    strict: false,
    validateFormats: false,
    allErrors: true,
    validateSchema: false,
  });
  readonly #paths: Array<{ template: string; pattern: RegExp; statics: number }>;
  readonly #cache = new Map<string, ValidateFunction>();

  constructor(readonly document: { paths: Record<string, Record<string, unknown>> }) {
    this.#ajv.addSchema(document, "openapi.json");
    this.#paths = Object.keys(document.paths).map((template) => ({
      template,
      pattern: new RegExp(
        `^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`,
      ),
      statics: template.split("/").filter((s) => s && !s.startsWith("{")).length,
    }));
  }

  /** Returns a description of the violation, or null when the answer fits the document. */
  check(
    method: string,
    url: string,
    status: number,
    contentType: string | undefined,
    body: string,
  ): string | null {
    const path = url.split("?")[0] ?? url;
    const matches = this.#paths.filter((p) => p.pattern.test(path)).sort((a, b) => b.statics - a.statics);
    const route = matches[0];
    if (!route) {
      // Unknown routes answer a 404 problem; nothing in the document describes them.
      return status === 404 && (contentType ?? "").startsWith("application/problem+json")
        ? null
        : `${method} ${path}: not in the document (status ${status})`;
    }
    const operation = this.document.paths[route.template]?.[method.toLowerCase()] as
      | { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }
      | undefined;
    if (!operation) {
      return status === 404
        ? null
        : `${method} ${route.template}: method not in the document (status ${status})`;
    }
    const responses = operation.responses ?? {};
    const code = String(status);
    const statusKey = [code, `${code[0]}XX`, `${code[0]}xx`, "default"].find((k) => responses[k]);
    if (!statusKey) return `${method} ${route.template}: status ${status} not documented`;
    const content = responses[statusKey]?.content;
    if (!content || Object.keys(content).length === 0) {
      return body === ""
        ? null
        : `${method} ${route.template} ${status}: documented without a body but sent one`;
    }
    const [mediaType] = Object.keys(content);
    const mediaPointer = mediaType?.replace(/~/g, "~0").replace(/\//g, "~1") ?? "";
    if (mediaType && !(contentType ?? "").startsWith(mediaType)) {
      return `${method} ${route.template} ${status}: content-type ${contentType} is not ${mediaType}`;
    }
    const ref = `openapi.json#/paths/${route.template.replace(/~/g, "~0").replace(/\//g, "~1")}/${method.toLowerCase()}/responses/${statusKey}/content/${mediaPointer}/schema`;
    let validate = this.#cache.get(ref);
    if (!validate) {
      validate = this.#ajv.getSchema(ref);
      if (!validate) return `no schema at ${ref}`;
      this.#cache.set(ref, validate);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return `${method} ${route.template} ${status}: body is not JSON`;
    }
    if (validate(parsed)) return null;
    return `${method} ${route.template} ${status}: ${this.#ajv.errorsText(validate.errors)} in ${body.slice(0, 500)}`;
  }
}

export async function openApiHarness(
  engine: StoreEngine,
  opts: { logger?: Logger; timeZone?: string; testClock?: boolean; trustProxy?: boolean | string[] } = {},
): Promise<ApiHarness> {
  const clock = new ManualClock(T0);
  const created = await createWorkspace(
    engine.db,
    { name: "API test", timeZone: opts.timeZone ?? "America/New_York" },
    T0,
  );
  if (opts.testClock !== false) await setWorkspaceClock(engine.db, created.id, T0);
  const workspace = { ...created, clock_at: opts.testClock !== false ? T0 : null };
  const key = async (scope: "admin" | "rep" | "ingest") =>
    (await createApiKey(engine.db, workspace.id, { name: scope, scopes: [scope] }, T0)).key;
  const keys = { admin: await key("admin"), rep: await key("rep"), ingest: await key("ingest") };
  const app = await buildServer({
    engine,
    clock,
    publicUrl: "https://nudge.example.test",
    logger: opts.logger ?? false,
    ...(opts.trustProxy !== undefined ? { trustProxy: opts.trustProxy } : {}),
  });
  const doc = await app.inject({ method: "GET", url: "/openapi.json" });
  const checker = new ContractChecker(doc.json());

  return {
    app,
    engine,
    clock,
    workspace,
    keys,
    async call(method, url, callOpts = {}) {
      const headers: Record<string, string> = { ...(callOpts.headers ?? {}) };
      const key = callOpts.key === undefined ? keys.admin : callOpts.key;
      if (key !== null) headers.authorization = `Bearer ${key}`;
      let payload: string | undefined;
      if (callOpts.raw !== undefined) {
        payload = callOpts.raw;
        if (callOpts.contentType) headers["content-type"] = callOpts.contentType;
      } else if (callOpts.body !== undefined) {
        payload = JSON.stringify(callOpts.body);
        headers["content-type"] = callOpts.contentType ?? "application/json";
      }
      const response = await app.inject({
        method: method as "GET",
        url,
        headers,
        ...(payload !== undefined ? { payload } : {}),
      });
      const violation = checker.check(
        method,
        url,
        response.statusCode,
        response.headers["content-type"] as string | undefined,
        response.body,
      );
      if (violation) throw new Error(`contract violation: ${violation}`);
      let json: unknown = null;
      try {
        json = response.body === "" ? null : JSON.parse(response.body);
      } catch {
        json = null;
      }
      return { status: response.statusCode, headers: response.headers, body: response.body, json };
    },
    async close() {
      await app.close();
    },
  };
}

const tablesOf = new WeakMap<StoreEngine, string[]>();

/**
 * Every table's row count in one query: what a rejected request must leave as it was. The
 * tables are read from the database itself, so tables other modules add are counted too.
 */
export async function countAllRows(engine: StoreEngine): Promise<Record<string, number>> {
  let tables = tablesOf.get(engine);
  if (!tables) {
    tables = (await engine.db.introspection.getTables())
      .map((t) => t.name)
      .filter((name) => !name.startsWith("kysely_"))
      .sort();
    tablesOf.set(engine, tables);
  }
  const select = tables.map((t) => `(select count(*) from ${t}) as ${t}`).join(", ");
  const result = await sql<Record<string, number>>`${sql.raw(`select ${select}`)}`.execute(engine.db);
  const row = result.rows[0] ?? {};
  return Object.fromEntries(tables.map((t) => [t, Number(row[t] ?? 0)]));
}

/** A sequence every test can use: two emails a day apart, open every hour of every day. */
export function twoEmailSequence(key: string, extra = ""): string {
  return `id: ${key}
name: ${key} sequence
schedule:
  timezone: UTC
  days: [mon, tue, wed, thu, fri, sat, sun]
  hours: ["00:00-24:00"]
${extra}steps:
  - id: hello
    email:
      subject: "Hello {{ contact.first_name | default: 'there' }}"
      body: "Hi {{ contact.first_name | default: 'there' }}, a first note."
  - id: follow_up
    wait: 1d
    email:
      thread: true
      body: "Following up."
`;
}
