// Builds the HTTP server (never listens: the CLI does): Fastify with zod schemas that both
// validate requests and generate the OpenAPI 3.1 document at /openapi.json (reference page at
// /docs), API-key auth, problem+json errors, Idempotency-Key replay, and every route plugin.

import type { IncomingMessage, ServerResponse } from "node:http";
import formbody from "@fastify/formbody";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  type RawServerDefault,
} from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import type { Clock } from "../engine/clock.ts";
import type { StoreEngine } from "../store/dialect/storeEngine.ts";
import { installAuth } from "./auth.ts";
import { makeServices } from "./context.ts";
import { IdempotentReplay, installIdempotency, sendReplay } from "./idempotency.ts";
import { registerApiMetrics } from "./metrics.ts";
import { ApiProblem, fieldPath, replyNotFound, replyWithProblem, zodValidatorCompiler } from "./problem.ts";
import { accountRoutes } from "./routes/accounts.ts";
import { contactRoutes } from "./routes/contacts.ts";
import { dealRoutes } from "./routes/deals.ts";
import { enrollmentRoutes } from "./routes/enrollments.ts";
import { eventRoutes } from "./routes/events.ts";
import { healthRoutes } from "./routes/health.ts";
import { inboundRoutes } from "./routes/inbound.ts";
import { inboxRoutes } from "./routes/inbox.ts";
import { incomingWebhookRoutes } from "./routes/incomingWebhooks.ts";
import { keyRoutes } from "./routes/keys.ts";
import { mailboxRoutes } from "./routes/mailboxes.ts";
import { outgoingWebhookRoutes } from "./routes/outgoingWebhooks.ts";
import { sandboxRoutes } from "./routes/sandbox.ts";
import { sequenceRoutes } from "./routes/sequences.ts";
import { sessionRoutes } from "./routes/session.ts";
import { smsRoutes } from "./routes/sms.ts";
import { suppressionRoutes } from "./routes/suppressions.ts";
import { taskRoutes } from "./routes/tasks.ts";
import { trackingRoutes } from "./routes/tracking.ts";
import { unsubscribeRoutes } from "./routes/unsubscribe.ts";
import { userRoutes } from "./routes/users.ts";
import { workspaceRoutes } from "./routes/workspace.ts";
import { registerWebApp } from "./webApp.ts";

export interface ServerDeps {
  engine: StoreEngine;
  clock: Clock;
  publicUrl: string;
  /** A pino logger (the server logs through a child with secrets redacted), or false for none. */
  logger?: Logger | false;
  /** Where /metrics reads from; a fresh registry with the process defaults when omitted. */
  metricsRegistry?: Registry;
  /**
   * Behind a reverse proxy: trust its X-Forwarded-For so the tracking endpoints see the reader's
   * address (Apple's privacy proxy is recognised by it). `true`, or the proxies' addresses/CIDRs.
   */
  trustProxy?: boolean | string[];
}

/** JSON bodies are small; imports and sequence sources get their own, larger limit per route. */
export const BODY_LIMIT_BYTES = 1_048_576;

/**
 * Log paths that may carry secrets. Fastify's request log holds no body or headers today;
 * this keeps it so if someone logs a request, an error with its body, or a mailbox row.
 */
export const REDACTED_LOG_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "authorization",
  "req.body.smtp.pass",
  "req.body.imap.pass",
  "body.smtp.pass",
  "body.imap.pass",
  "smtp.pass",
  "imap.pass",
  "*.smtp.pass",
  "*.imap.pass",
  "smtp_json",
  "imap_json",
  "*.smtp_json",
  "*.imap_json",
  "req.body.dkim.private_key",
  "body.dkim.private_key",
  "dkim.private_key",
  "*.dkim.private_key",
  "dkim_json",
  "*.dkim_json",
  "privateKey",
  "*.privateKey",
  "key",
  "*.key",
  "req.body.password",
  "req.body.new_password",
  "req.body.current_password",
  "req.body.token",
  "body.password",
  "body.new_password",
  "body.current_password",
  "body.token",
  "secret",
  "*.secret",
  "auth_token",
  "*.auth_token",
];

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const logger =
    deps.logger === false || deps.logger === undefined
      ? undefined
      : deps.logger.child(
          { component: "api" },
          { redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" } },
        );
  const app = Fastify<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Signed tracking and unsubscribe tokens are longer than Fastify's default 100-character limit.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    ...(deps.trustProxy !== undefined ? { trustProxy: deps.trustProxy } : {}),
    // Bad input must never crash the parser into a 500.
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate("nudge", makeServices(deps));
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof IdempotentReplay) return sendReplay(reply, error.record);
    return replyWithProblem(error, request, reply);
  });
  // The web app (when built) answers the GETs no route claims; everything else is a 404 problem.
  app.setNotFoundHandler(await registerWebApp(app, replyNotFound));

  // Sequence sources (YAML) and contact imports (CSV) arrive as text.
  app.addContentTypeParser(
    ["text/csv", "application/yaml", "text/yaml", "application/x-yaml"],
    { parseAs: "string" },
    (_request, body, done) => done(null, body),
  );
  // Forms arrive from the unsubscribe page and RFC 8058 one-click POSTs.
  await app.register(formbody);

  app.addHook("preValidation", async (request) => rejectNulCharacters(request));
  installAuth(app);
  installIdempotency(app);

  const registry = deps.metricsRegistry ?? new Registry();
  const http = registerApiMetrics(registry, deps, { defaultMetrics: true });
  app.addHook("onResponse", async (request, reply) => {
    http.observe(
      request.method,
      request.routeOptions.url ?? "(unknown)",
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Nudge API",
        version: "1",
        description:
          "Automated sales follow-up. Authenticate with `Authorization: Bearer <api key>`. " +
          "Errors are application/problem+json. POSTs accept an `Idempotency-Key` header.",
      },
      servers: [{ url: deps.publicUrl }],
      components: {
        securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key (`nk_…`)" } },
      },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (documentObject) => problemContentType(jsonSchemaTransformObject(documentObject)),
  });
  await app.register(async (docs) => {
    docs.addHook("onRoute", (route) => {
      route.config = { ...(route.config ?? {}), public: true };
    });
    await docs.register(swaggerUi, { routePrefix: "/docs", uiConfig: { deepLinking: true } });
  });
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.type("application/json; charset=utf-8").send(app.swagger()),
  );

  await app.register(healthRoutes, { registry });
  await app.register(contactRoutes);
  await app.register(accountRoutes);
  await app.register(dealRoutes);
  await app.register(sequenceRoutes);
  await app.register(enrollmentRoutes);
  await app.register(eventRoutes);
  await app.register(taskRoutes);
  await app.register(suppressionRoutes);
  await app.register(mailboxRoutes);
  await app.register(userRoutes);
  await app.register(keyRoutes);
  await app.register(workspaceRoutes);
  await app.register(sandboxRoutes);
  await app.register(inboundRoutes);
  await app.register(sessionRoutes);
  await app.register(inboxRoutes);
  // Another engineer's plugins: they declare absolute paths and mark public routes with
  // `config: { public: true }` (see src/api/auth.ts).
  await app.register(incomingWebhookRoutes);
  await app.register(outgoingWebhookRoutes);
  await app.register(unsubscribeRoutes);
  await app.register(smsRoutes);
  await app.register(trackingRoutes);

  await app.ready();
  return app;
}

/** PostgreSQL cannot store U+0000 in text: refuse it at the edge, naming the field. */
function rejectNulCharacters(request: FastifyRequest): void {
  for (const [part, value] of [
    ["body", request.body],
    ["query", request.query],
    ["params", request.params],
  ] as const) {
    const path = findNul(value, []);
    if (path) {
      const field = fieldPath(path) || part;
      throw new ApiProblem(
        part === "body" ? 422 : 400,
        part === "body" ? "validation-failed" : "bad-request",
        `${field}: contains a NUL character`,
        [{ field, message: "contains a NUL character (U+0000)" }],
      );
    }
  }
}

/** Deeper than any real payload; refusing it keeps every later walk of the body cheap. */
const MAX_DEPTH = 32;

function findNul(value: unknown, path: Array<string | number>, depth = 0): Array<string | number> | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  // Raw bytes (a MIME message, a signed webhook body) are data for a parser, not text to store.
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) return null;
  if (depth > MAX_DEPTH) {
    const field = fieldPath(path) || "(body)";
    throw new ApiProblem(422, "validation-failed", `${field}: nested more than ${MAX_DEPTH} levels deep`, [
      { field, message: `nested more than ${MAX_DEPTH} levels deep` },
    ]);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], [...path, i], depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key.includes("\u0000")) return [...path, key.split("\u0000").join("\\0")];
    const found = findNul(child, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

/** Errors are problem+json: say so in the document, not the generator's default JSON. */
function problemContentType<T>(document: T): T {
  const paths = (document as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      const responses = (operation as { responses?: Record<string, { content?: Record<string, unknown> }> })
        ?.responses;
      for (const [status, response] of Object.entries(responses ?? {})) {
        if (!/^[45]/.test(status) || !response.content?.["application/json"]) continue;
        response.content = { "application/problem+json": response.content["application/json"] };
      }
    }
  }
  return document;
}
