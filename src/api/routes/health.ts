// Public probes: /healthz (the process answers), /readyz (the database answers), and
// /metrics for Prometheus.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { sql } from "kysely";
import type { Registry } from "prom-client";
import { z } from "zod";
import { ApiProblem } from "../problem.ts";
import { withProblems } from "../schemas/common.ts";

export const healthRoutes: FastifyPluginAsyncZod<{ registry: Registry }> = async (app, opts) => {
  app.get(
    "/healthz",
    {
      config: { public: true },
      schema: {
        tags: ["health"],
        summary: "The process is up",
        security: [],
        response: withProblems({ 200: z.object({ status: z.literal("ok") }) }),
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      config: { public: true },
      schema: {
        tags: ["health"],
        summary: "The database answers",
        security: [],
        response: withProblems({
          200: z.object({ status: z.literal("ready"), engine: z.enum(["sqlite", "postgres"]) }),
        }),
      },
    },
    async () => {
      const { engine } = app.nudge;
      try {
        await sql`select 1`.execute(engine.db);
      } catch {
        throw new ApiProblem(503, "unavailable", "the database does not answer");
      }
      return { status: "ready" as const, engine: engine.kind };
    },
  );

  app.get("/metrics", { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.type(opts.registry.contentType).send(await opts.registry.metrics()),
  );
};
