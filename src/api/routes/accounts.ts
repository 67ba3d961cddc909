// /v1/accounts: companies, upserted by domain.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  getAccount,
  getAccountByDomain,
  listAccounts,
  upsertAccountByDomain,
} from "../../store/repos/accounts.ts";
import { workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { notFound } from "../problem.ts";
import { requireUserId } from "../references.ts";
import { AccountOut, AccountUpsert, toAccountOut } from "../schemas/accounts.ts";
import { IdParams, PageQuery, pageOf, pageSchema, withProblems } from "../schemas/common.ts";

export const accountRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/v1/accounts",
    {
      schema: {
        tags: ["accounts"],
        summary: "List accounts",
        querystring: PageQuery,
        response: withProblems({ 200: pageSchema(AccountOut) }),
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listAccounts(app.nudge.engine.db, (await workspaceOf(request)).id, {
        limit: limit + 1,
        cursor: cursor ?? null,
      });
      return pageOf(rows, limit, toAccountOut, (r) => r.id);
    },
  );

  app.get(
    "/v1/accounts/:id",
    {
      schema: {
        tags: ["accounts"],
        summary: "Read an account",
        params: IdParams,
        response: withProblems({ 200: AccountOut }),
      },
    },
    async (request) => {
      const account = await getAccount(
        app.nudge.engine.db,
        (await workspaceOf(request)).id,
        request.params.id,
      );
      if (!account) throw notFound("account", request.params.id);
      return toAccountOut(account);
    },
  );

  app.post(
    "/v1/accounts",
    {
      schema: {
        tags: ["accounts"],
        summary: "Create or update an account, by domain",
        body: AccountUpsert,
        response: withProblems({ 200: AccountOut, 201: AccountOut }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const { domain, name, owner_id, fields } = request.body;
      const result = await commitWrite(request, async (trx) => {
        if (owner_id) await requireUserId(trx, workspace.id, owner_id, "owner_id");
        const existed = await getAccountByDomain(trx, workspace.id, domain);
        const account = await upsertAccountByDomain(
          trx,
          workspace.id,
          {
            domain,
            ...(name !== undefined ? { name } : {}),
            ...(owner_id !== undefined ? { ownerId: owner_id } : {}),
            ...(fields ? { fields } : {}),
          },
          now,
        );
        return { statusCode: existed ? 200 : 201, body: toAccountOut(account) };
      });
      return reply.code(result.statusCode).send(result.body);
    },
  );
};
