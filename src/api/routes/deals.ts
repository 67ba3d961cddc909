// /v1/deals: deals and their stage history. Moving a stage also ingests `deal.stage_changed`
// for the deal's contact (or everyone at its account), so stage exits and triggers fire.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { type IngestResult, ingestEvent } from "../../engine/ingestEvent.ts";
import type { Executor } from "../../store/executor.ts";
import { contactsAtAccount, getContactByEmail } from "../../store/repos/contacts.ts";
import {
  changeDealStage,
  createDeal,
  dealStageHistory,
  getDeal,
  getDealByExternalId,
  listDeals,
} from "../../store/repos/deals.ts";
import type { Deal, Workspace } from "../../store/schema.ts";
import { wakeWorker, workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { conflict, invalidField, notFound } from "../problem.ts";
import { requireAccountId, requireContact, requireUserId } from "../references.ts";
import { DealCreate, DealOut, DealStageChange, DealWithHistory, toDealOut } from "../schemas/accounts.ts";
import { IdParams, iso, pageOf, pageSchema, withProblems } from "../schemas/common.ts";

const DealListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(300).optional(),
  stage: z.string().max(100).optional(),
});

/** The people a deal's stage matters to: its contact, else everyone at its account. */
async function contactsOfDeal(trx: Executor, workspaceId: string, deal: Deal): Promise<string[]> {
  if (deal.contact_id) return [deal.contact_id];
  if (!deal.account_id) return [];
  return (await contactsAtAccount(trx, workspaceId, deal.account_id)).map((c) => c.id);
}

export async function announceStageChange(
  trx: Executor,
  workspace: Workspace,
  deal: Deal,
  fromStage: string | null,
  nowUtcMs: number,
  source: string,
): Promise<IngestResult[]> {
  const results: IngestResult[] = [];
  for (const contactId of await contactsOfDeal(trx, workspace.id, deal)) {
    results.push(
      await ingestEvent(
        trx,
        workspace,
        {
          type: "deal.stage_changed",
          contactId,
          data: { deal_id: deal.id, from: fromStage, to: deal.stage },
          occurredAtUtcMs: nowUtcMs,
          source,
        },
        nowUtcMs,
      ),
    );
  }
  return results;
}

export const dealRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    "/v1/deals",
    {
      schema: {
        tags: ["deals"],
        summary: "Create a deal (its first stage counts as a stage change for its contact)",
        body: DealCreate,
        response: withProblems({ 201: DealOut }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const body = request.body;
      const result = await commitWrite(request, async (trx) => {
        let contactId = body.contact_id ?? null;
        if (contactId) await requireContact(trx, workspace.id, contactId, "contact_id");
        if (body.contact_email !== undefined) {
          const contact = await getContactByEmail(trx, workspace.id, body.contact_email);
          if (!contact)
            throw invalidField("contact_email", `no contact with the email ${body.contact_email}`);
          contactId = contact.id;
        }
        if (body.account_id) await requireAccountId(trx, workspace.id, body.account_id, "account_id");
        if (body.owner_id) await requireUserId(trx, workspace.id, body.owner_id, "owner_id");
        if (body.external_id && (await getDealByExternalId(trx, workspace.id, body.external_id))) {
          throw conflict(`a deal with external_id ${body.external_id} exists`);
        }
        const deal = await createDeal(
          trx,
          workspace.id,
          {
            name: body.name,
            stage: body.stage,
            amount: body.amount ?? null,
            currency: body.currency ?? null,
            accountId: body.account_id ?? null,
            contactId,
            ownerId: body.owner_id ?? null,
            externalId: body.external_id ?? null,
          },
          "api",
          now,
        );
        await announceStageChange(trx, workspace, deal, null, now, "api");
        return { statusCode: 201, body: toDealOut(deal) };
      });
      await wakeWorker(app.nudge.engine);
      return reply.code(result.statusCode).send(result.body);
    },
  );

  app.get(
    "/v1/deals",
    {
      schema: {
        tags: ["deals"],
        summary: "List deals",
        querystring: DealListQuery,
        response: withProblems({ 200: pageSchema(DealOut) }),
      },
    },
    async (request) => {
      const { limit, cursor, stage } = request.query;
      const rows = await listDeals(app.nudge.engine.db, (await workspaceOf(request)).id, {
        limit: limit + 1,
        cursor: cursor ?? null,
        ...(stage ? { stage } : {}),
      });
      return pageOf(rows, limit, toDealOut, (r) => r.id);
    },
  );

  app.get(
    "/v1/deals/:id",
    {
      schema: {
        tags: ["deals"],
        summary: "Read a deal with its stage history",
        params: IdParams,
        response: withProblems({ 200: DealWithHistory }),
      },
    },
    async (request) => {
      const db = app.nudge.engine.db;
      const deal = await getDeal(db, (await workspaceOf(request)).id, request.params.id);
      if (!deal) throw notFound("deal", request.params.id);
      const history = await dealStageHistory(db, deal.id);
      return {
        ...toDealOut(deal),
        stage_history: history.map((h) => ({
          from_stage: h.from_stage,
          to_stage: h.to_stage,
          source: h.source,
          changed_at: iso(h.changed_at),
        })),
      };
    },
  );

  app.post(
    "/v1/deals/:id/stage",
    {
      schema: {
        tags: ["deals"],
        summary: "Move a deal to a stage; ingests deal.stage_changed so stage exits fire",
        params: IdParams,
        body: DealStageChange,
        response: withProblems({ 200: DealOut }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const result = await commitWrite(request, async (trx) => {
        const moved = await changeDealStage(
          trx,
          workspace.id,
          request.params.id,
          request.body.stage,
          "api",
          now,
        );
        if (!moved) throw notFound("deal", request.params.id);
        if (moved.changed) await announceStageChange(trx, workspace, moved.deal, moved.fromStage, now, "api");
        return { statusCode: 200, body: toDealOut(moved.deal) };
      });
      await wakeWorker(app.nudge.engine);
      return result.body;
    },
  );
};
