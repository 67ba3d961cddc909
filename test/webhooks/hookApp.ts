// A Fastify instance wired like the API server (zod schemas, problem+json, API-key auth,
// Idempotency-Key, urlencoded forms) with only the webhook and unsubscribe plugins, so these
// tests do not depend on every other route; server.test.ts checks the real server too.

import { readFileSync } from "node:fs";
import formbody from "@fastify/formbody";
import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { installAuth } from "../../src/api/auth.ts";
import { makeServices } from "../../src/api/context.ts";
import { IdempotentReplay, installIdempotency, sendReplay } from "../../src/api/idempotency.ts";
import { replyNotFound, replyWithProblem, zodValidatorCompiler } from "../../src/api/problem.ts";
import { incomingWebhookRoutes } from "../../src/api/routes/incomingWebhooks.ts";
import { outgoingWebhookRoutes } from "../../src/api/routes/outgoingWebhooks.ts";
import { unsubscribeRoutes } from "../../src/api/routes/unsubscribe.ts";
import type { Clock } from "../../src/engine/clock.ts";
import type { StoreEngine } from "../../src/store/dialect/storeEngine.ts";
import { createApiKey } from "../../src/store/repos/apiKeys.ts";

export const PUBLIC_URL = "https://nudge.example.test";

export async function buildHookApp(engine: StoreEngine, clock: Clock): Promise<FastifyInstance> {
  const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate("nudge", makeServices({ engine, clock, publicUrl: PUBLIC_URL }));
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof IdempotentReplay) return sendReplay(reply, error.record);
    return replyWithProblem(error, request, reply);
  });
  app.setNotFoundHandler(replyNotFound);
  await app.register(formbody);
  installAuth(app);
  installIdempotency(app);
  await app.register(incomingWebhookRoutes);
  await app.register(outgoingWebhookRoutes);
  await app.register(unsubscribeRoutes);
  await app.ready();
  return app;
}

export async function adminKey(engine: StoreEngine, workspaceId: string, nowUtcMs: number): Promise<string> {
  return (await createApiKey(engine.db, workspaceId, { name: "test admin", scopes: ["admin"] }, nowUtcMs))
    .key;
}

export function fixture(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/webhooks/${name}`, import.meta.url));
}

/** Rows a rejected request must not have touched. */
export async function rowCounts(engine: StoreEngine): Promise<Record<string, number>> {
  const tables = [
    "events",
    "contacts",
    "deals",
    "deal_stage_changes",
    "enrollments",
    "suppressions",
  ] as const;
  const out: Record<string, number> = {};
  for (const table of tables) {
    const row = await engine.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}
