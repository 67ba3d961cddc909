// /v1/keys: API keys. A new key is shown once, in the answer that creates it; afterwards only
// its prefix. Managing keys needs the admin scope.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { createApiKey, listApiKeys, revokeApiKey, scopesOf } from "../../store/repos/apiKeys.ts";
import { appendAudit } from "../../store/repos/auditLog.ts";
import type { ApiKeyRow } from "../../store/schema.ts";
import { authOf, workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { notFound } from "../problem.ts";
import {
  IdParams,
  IsoTime,
  iso,
  isoOrNull,
  PageQuery,
  pageInMemory,
  pageSchema,
  withProblems,
} from "../schemas/common.ts";

const Scope = z.enum(["admin", "rep", "ingest"]);

const KeyOut = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe("the key's first characters, to tell keys apart"),
    scopes: z.array(z.string()),
    created_at: IsoTime,
    last_used_at: IsoTime.nullable(),
    revoked_at: IsoTime.nullable(),
  })
  .meta({ id: "ApiKey" });

function toKeyOut(row: ApiKeyRow): z.infer<typeof KeyOut> {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: scopesOf(row),
    created_at: iso(row.created_at),
    last_used_at: isoOrNull(row.last_used_at),
    revoked_at: isoOrNull(row.revoked_at),
  };
}

const KeyCreate = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    scopes: z
      .array(Scope)
      .min(1)
      .max(3)
      .transform((s) => [...new Set(s)]),
  })
  .meta({ id: "ApiKeyCreate" });

/** What a replay of a key creation says instead of the key, which is never stored in clear. */
const REPLAYED_KEY = "(not repeated: a key is shown once; revoke this one and create another if it was lost)";

const KeyCreated = KeyOut.extend({
  key: z.string().describe("the key itself: shown this once, store it now"),
}).meta({
  id: "ApiKeyCreated",
});

export const keyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/v1/keys",
    {
      schema: {
        tags: ["keys"],
        summary: "List API keys (never the keys themselves)",
        querystring: PageQuery,
        response: withProblems({ 200: pageSchema(KeyOut) }),
      },
    },
    async (request) =>
      pageInMemory(
        await listApiKeys(app.nudge.engine.db, (await workspaceOf(request)).id),
        request.query,
        toKeyOut,
      ),
  );

  app.post(
    "/v1/keys",
    {
      schema: {
        tags: ["keys"],
        summary: "Create an API key (returned once)",
        body: KeyCreate,
        response: withProblems({ 201: KeyCreated }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const result = await commitWrite(
        request,
        async (trx) => {
          const { key, row } = await createApiKey(trx, workspace.id, request.body, now);
          await appendAudit(
            trx,
            {
              workspaceId: workspace.id,
              actor: `api:${authOf(request).keyId}`,
              action: "key.created",
              targetType: "api_key",
              targetId: row.id,
            },
            now,
          );
          return { statusCode: 201, body: { ...toKeyOut(row), key } };
        },
        { forReplay: (body) => ({ ...body, key: REPLAYED_KEY }) },
      );
      return reply.code(result.statusCode).send(result.body);
    },
  );

  app.delete(
    "/v1/keys/:id",
    {
      schema: {
        tags: ["keys"],
        summary: "Revoke an API key (by id)",
        params: IdParams,
        response: withProblems({ 204: z.undefined() }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      await commitWrite(request, async (trx) => {
        if (!(await revokeApiKey(trx, workspace.id, request.params.id, now)))
          throw notFound("live API key", request.params.id);
        await appendAudit(
          trx,
          {
            workspaceId: workspace.id,
            actor: `api:${authOf(request).keyId}`,
            action: "key.revoked",
            targetType: "api_key",
            targetId: request.params.id,
          },
          now,
        );
        return { statusCode: 204, body: undefined };
      });
      return reply.code(204).send();
    },
  );
};
