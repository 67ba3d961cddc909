// Incoming webhooks: HubSpot, Calendly and generic signed JSON sources tell a workspace what
// happened. Public routes, authenticated by each sender's signature over the raw body bytes;
// plus the admin routes that set a workspace's secrets and field mappings.

import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Transaction } from "kysely";
import { z } from "zod";
import { ingestEvent } from "../../engine/ingestEvent.ts";
import { mapCalendlyDelivery } from "../../inbound/webhooks/calendlyPayload.ts";
import {
  CALENDLY_SIGNATURE_HEADER,
  verifyCalendlySignature,
} from "../../inbound/webhooks/calendlySignature.ts";
import { mapGenericDelivery } from "../../inbound/webhooks/fieldMapping.ts";
import { GENERIC_SIGNATURE_HEADER, verifyGenericSignature } from "../../inbound/webhooks/genericSignature.ts";
import type { HookAction, HookSource, MappedDelivery } from "../../inbound/webhooks/hookAction.ts";
import {
  type HookConfig,
  hookConfigSchema,
  maskHookConfig,
  readHookConfig,
  restoreMaskedSecrets,
  SOURCE_NAME_PATTERN,
} from "../../inbound/webhooks/hookConfig.ts";
import { mapHubSpotDelivery } from "../../inbound/webhooks/hubspotPayload.ts";
import {
  HUBSPOT_SIGNATURE_HEADER,
  HUBSPOT_TIMESTAMP_HEADER,
  verifyHubSpotSignature,
} from "../../inbound/webhooks/hubspotSignature.ts";
import { REPLAY_WINDOW_MS, type SignatureFailure } from "../../inbound/webhooks/stampedSignature.ts";
import type { Executor } from "../../store/executor.ts";
import { readJsonObject } from "../../store/json.ts";
import { type Contact, toContact, upsertContact } from "../../store/repos/contacts.ts";
import { changeDealStage, createDeal, getDealByExternalId } from "../../store/repos/deals.ts";
import { recordEvent } from "../../store/repos/events.ts";
import { getWorkspace, updateWorkspaceSettings, workspaceSettings } from "../../store/repos/workspaces.ts";
import type { Database, Workspace } from "../../store/schema.ts";
import { transact } from "../../store/transact.ts";
import { workspaceOf } from "../context.ts";
import { ApiProblem, fieldPath } from "../problem.ts";
import { withProblems } from "../schemas/common.ts";

/** HubSpot sends at most 100 events per request; a megabyte is generous for every source. */
const HOOK_BODY_LIMIT_BYTES = 1024 * 1024;

const workspaceParams = z.object({ workspaceId: z.string().min(1).max(100) });
const genericParams = workspaceParams.extend({ source: z.string().regex(SOURCE_NAME_PATTERN) });

const hookResultSchema = z.object({
  received: z.number().int().describe("Items in the delivery"),
  events: z.array(
    z.object({
      type: z.string(),
      event_id: z.string().nullable(),
      contact_id: z.string().nullable(),
      duplicate: z.boolean().describe("Already recorded from an earlier delivery (a sender's retry)"),
    }),
  ),
  ignored: z.array(z.object({ index: z.number().int(), type: z.string(), reason: z.string() })),
});
type HookResult = z.infer<typeof hookResultSchema>;

const hookConfigViewSchema = z.object({
  config: hookConfigSchema.describe("The set-up as stored, every secret masked"),
  endpoints: z.object({
    hubspot: z.string(),
    calendly: z.string(),
    generic: z.record(z.string(), z.string()),
  }),
  replay_window_seconds: z.number().int(),
});

/**
 * The exact bytes of each delivery, kept beside the request rather than as its body: the body
 * stays empty until the signature is verified, so nothing (hooks, logs) reads unverified JSON.
 */
const rawBodies = new WeakMap<FastifyRequest, Buffer>();

/** The signed receiver routes; every step before the transaction is a pure check. */
const signedHookRoutes: FastifyPluginAsyncZod = async (hooks) => {
  // Signatures cover the exact bytes sent, so this scope reads every body raw and parses JSON
  // only after verification (other scopes keep the server's parsers).
  hooks.removeAllContentTypeParsers();
  hooks.addContentTypeParser(
    "*",
    { parseAs: "buffer", bodyLimit: HOOK_BODY_LIMIT_BYTES },
    (request, body, done) => {
      rawBodies.set(request, Buffer.isBuffer(body) ? body : Buffer.from(body));
      done(null, undefined);
    },
  );

  hooks.post(
    "/v1/hooks/:workspaceId/hubspot",
    {
      config: { public: true },
      schema: {
        params: workspaceParams,
        tags: ["webhooks"],
        security: [],
        response: withProblems({ 200: hookResultSchema }),
        summary: "Receive HubSpot webhook deliveries (X-HubSpot-Signature-v3)",
      },
    },
    async (request) => {
      const workspace = await hookWorkspace(request, request.params.workspaceId);
      const config = readHookConfig(workspaceSettings(workspace)).hubspot;
      if (!config) throw notConfigured("hubspot");
      const raw = rawBodyOf(request);
      const check = verifyHubSpotSignature({
        clientSecret: config.clientSecret,
        method: request.method,
        uri: `${request.server.nudge.publicUrl.replace(/\/+$/, "")}${request.url}`,
        rawBody: raw,
        signatureHeader: headerOf(request, HUBSPOT_SIGNATURE_HEADER),
        timestampHeader: headerOf(request, HUBSPOT_TIMESTAMP_HEADER),
        nowUtcMs: request.server.nudge.clock.nowUtcMs(),
      });
      if (!check.ok) throw badSignature(check.reason);
      const mapped = mapHubSpotDelivery(parseJson(raw), { stageMap: config.stageMap ?? {} });
      return receive(request, workspace, "hubspot", check.replayKey, mapped);
    },
  );

  hooks.post(
    "/v1/hooks/:workspaceId/calendly",
    {
      config: { public: true },
      schema: {
        params: workspaceParams,
        tags: ["webhooks"],
        security: [],
        response: withProblems({ 200: hookResultSchema }),
        summary: "Receive Calendly webhook deliveries (Calendly-Webhook-Signature)",
      },
    },
    async (request) => {
      const workspace = await hookWorkspace(request, request.params.workspaceId);
      const config = readHookConfig(workspaceSettings(workspace)).calendly;
      if (!config) throw notConfigured("calendly");
      const raw = rawBodyOf(request);
      const check = verifyCalendlySignature({
        signingKey: config.signingKey,
        header: headerOf(request, CALENDLY_SIGNATURE_HEADER),
        rawBody: raw,
        nowUtcMs: request.server.nudge.clock.nowUtcMs(),
      });
      if (!check.ok) throw badSignature(check.reason);
      const mapped = mapCalendlyDelivery(parseJson(raw), request.server.nudge.now(workspace));
      return receive(request, workspace, "calendly", check.replayKey, mapped);
    },
  );

  hooks.post(
    "/v1/hooks/:workspaceId/generic/:source",
    {
      config: { public: true },
      schema: {
        params: genericParams,
        tags: ["webhooks"],
        security: [],
        response: withProblems({ 200: hookResultSchema }),
        summary: "Receive a generic signed JSON webhook (X-Nudge-Signature)",
      },
    },
    async (request) => {
      const workspace = await hookWorkspace(request, request.params.workspaceId);
      const name = request.params.source;
      const source = readHookConfig(workspaceSettings(workspace)).sources?.[name];
      if (!source) throw notConfigured(`generic source ${name}`);
      const raw = rawBodyOf(request);
      const check = verifyGenericSignature({
        secret: source.secret,
        header: headerOf(request, GENERIC_SIGNATURE_HEADER),
        rawBody: raw,
        nowUtcMs: request.server.nudge.clock.nowUtcMs(),
      });
      if (!check.ok) throw badSignature(check.reason);
      const mapped = mapGenericDelivery(parseJson(raw), name, source, request.server.nudge.now(workspace));
      return receive(request, workspace, `generic:${name}`, check.replayKey, mapped);
    },
  );
};

export const incomingWebhookRoutes: FastifyPluginAsyncZod = async (admin) => {
  await admin.register(signedHookRoutes);

  admin.get(
    "/v1/hooks/config",
    {
      config: { allow: [] },
      schema: {
        tags: ["webhooks"],
        summary: "Incoming webhook set-up (secrets masked) and the URLs to give each sender",
        response: withProblems({ 200: hookConfigViewSchema }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      return configView(request, workspace, readHookConfig(workspaceSettings(workspace)));
    },
  );

  admin.put(
    "/v1/hooks/config",
    {
      config: { allow: [] },
      schema: {
        tags: ["webhooks"],
        summary: "Replace the incoming webhook set-up",
        description:
          "Masked secrets (as GET shows them) keep the stored secret, so a GET → edit → PUT round trip works.",
        body: hookConfigSchema,
        response: withProblems({ 200: hookConfigViewSchema }),
      },
    },
    async (request) => {
      const { engine } = request.server.nudge;
      const saved = await transact(engine, async (trx) => {
        const workspace = await workspaceOf(request, trx);
        const restored = restoreMaskedSecrets(request.body, readHookConfig(workspaceSettings(workspace)));
        if ("problems" in restored) {
          const errors = restored.problems.map((p) => ({ field: fieldPath(p.path), message: p.message }));
          throw new ApiProblem(
            422,
            "validation-failed",
            errors.map((e) => `${e.field}: ${e.message}`).join("; "),
            errors,
          );
        }
        await updateWorkspaceSettings(trx, workspace.id, { webhooks: restored.config });
        return { workspace, config: restored.config };
      });
      return configView(request, saved.workspace, saved.config);
    },
  );
};

function configView(request: FastifyRequest, workspace: Workspace, config: HookConfig) {
  const base = `${request.server.nudge.publicUrl.replace(/\/+$/, "")}/v1/hooks/${workspace.id}`;
  return {
    config: maskHookConfig(config),
    endpoints: {
      hubspot: `${base}/hubspot`,
      calendly: `${base}/calendly`,
      generic: Object.fromEntries(Object.keys(config.sources ?? {}).map((n) => [n, `${base}/generic/${n}`])),
    },
    replay_window_seconds: REPLAY_WINDOW_MS / 1000,
  };
}

async function hookWorkspace(request: FastifyRequest, workspaceId: string): Promise<Workspace> {
  const workspace = await getWorkspace(request.server.nudge.engine.db, workspaceId);
  if (!workspace) throw new ApiProblem(404, "not-found", `no webhook endpoint for workspace ${workspaceId}`);
  return workspace;
}

function notConfigured(what: string): ApiProblem {
  return new ApiProblem(
    404,
    "not-found",
    `${what} webhooks are not set up in this workspace (PUT /v1/hooks/config)`,
  );
}

const FAILURE_DETAILS: Record<SignatureFailure, string> = {
  missing: "the signature header is missing",
  malformed: "the signature header cannot be read",
  stale: `the signature's timestamp is outside the ${REPLAY_WINDOW_MS / 60_000}-minute window`,
  mismatch: "the signature does not match the body and the secret",
};

function badSignature(reason: SignatureFailure): ApiProblem {
  return new ApiProblem(401, "unauthorized", `webhook refused: ${FAILURE_DETAILS[reason]}`);
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function rawBodyOf(request: FastifyRequest): Buffer {
  return rawBodies.get(request) ?? Buffer.alloc(0);
}

function parseJson(raw: Buffer): unknown {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch (error) {
    throw new ApiProblem(400, "bad-request", `the body is not valid JSON: ${(error as Error).message}`);
  }
  // PostgreSQL text cannot hold U+0000: refuse it here rather than fail the write.
  if (containsNul(value)) {
    throw new ApiProblem(422, "validation-failed", "the body contains a NUL character (U+0000)");
  }
  return value;
}

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (value === null || typeof value !== "object" || depth > 64) return false;
  const children = Array.isArray(value) ? value : Object.entries(value).flat();
  return children.some((child) => containsNul(child, depth + 1));
}

/** Thrown inside the transaction when the delivery's signature was seen before. */
class ReplayedDelivery extends Error {
  override readonly name = "ReplayedDelivery";
}

/**
 * One transaction per delivery: the receipt (keyed by the signature, so a replay is refused and
 * writes nothing), then every action. Wakes the workers after commit.
 */
async function receive(
  request: FastifyRequest,
  workspace: Workspace,
  source: HookSource,
  replayKey: string,
  mapped: MappedDelivery,
): Promise<HookResult> {
  if (!mapped.ok) {
    const errors = mapped.errors.map((e) => ({ field: fieldPath(e.path) || "(body)", message: e.message }));
    throw new ApiProblem(
      422,
      "validation-failed",
      `the ${source} payload cannot be used: ${errors
        .slice(0, 3)
        .map((e) => `${e.field}: ${e.message}`)
        .join("; ")}`,
      errors,
    );
  }
  const { engine } = request.server.nudge;
  const nowUtcMs = request.server.nudge.now(workspace);
  let result: HookResult;
  try {
    result = await transact(engine, async (trx) => {
      const receipt = await recordEvent(
        trx,
        {
          workspaceId: workspace.id,
          type: "webhook.received",
          data: { source, items: mapped.actions.length + mapped.ignored.length },
          occurredAtUtcMs: nowUtcMs,
          source: `hook:${source}`,
          dedupeKey: `hook:${source}:${replayKey}`,
        },
        nowUtcMs,
      );
      if (receipt.duplicate) throw new ReplayedDelivery();
      const events: HookResult["events"] = [];
      for (const action of mapped.actions) {
        events.push(await applyAction(trx, workspace, source, action, nowUtcMs));
      }
      return { received: mapped.actions.length + mapped.ignored.length, events, ignored: mapped.ignored };
    });
  } catch (error) {
    if (error instanceof ReplayedDelivery) {
      throw new ApiProblem(
        401,
        "unauthorized",
        "webhook refused: this delivery was already received (replay)",
      );
    }
    throw error;
  }
  await engine.notify("nudge_outbox");
  await engine.notify("nudge_due");
  return result;
}

async function applyAction(
  trx: Transaction<Database>,
  workspace: Workspace,
  source: HookSource,
  action: HookAction,
  nowUtcMs: number,
): Promise<HookResult["events"][number]> {
  switch (action.kind) {
    case "contact_event": {
      const { contact } = await upsertContact(
        trx,
        workspace.id,
        {
          email: action.contact.email,
          // A booking without a name must not erase the name we have.
          ...(action.contact.firstName ? { firstName: action.contact.firstName } : {}),
          ...(action.contact.lastName ? { lastName: action.contact.lastName } : {}),
        },
        nowUtcMs,
      );
      const ingested = await ingestEvent(
        trx,
        workspace,
        {
          type: action.type,
          contactId: contact.id,
          data: action.data,
          occurredAtUtcMs: action.occurredAtUtcMs,
          source: `hook:${source}`,
          dedupeKey: action.dedupeKey,
        },
        nowUtcMs,
      );
      return eventResult(action.type, ingested.event.id, contact.id, ingested.duplicate);
    }
    case "deal_stage": {
      // A sender's retry of an event applied before must not move the deal back.
      if (await eventWithKeyExists(trx, workspace.id, action.dedupeKey)) {
        return eventResult("deal.stage_changed", null, null, true);
      }
      let deal = await getDealByExternalId(trx, workspace.id, action.dealExternalId);
      let fromStage: string | null = null;
      if (!deal) {
        deal = await createDeal(
          trx,
          workspace.id,
          {
            name: `HubSpot deal ${action.dealExternalId}`,
            stage: action.stage,
            externalId: action.dealExternalId,
          },
          `hook:${source}`,
          nowUtcMs,
        );
      } else {
        const moved = await changeDealStage(
          trx,
          workspace.id,
          deal.id,
          action.stage,
          `hook:${source}`,
          nowUtcMs,
        );
        if (!moved?.changed) return eventResult("deal.stage_changed", null, deal.contact_id, false);
        fromStage = moved.fromStage;
      }
      const ingested = await ingestEvent(
        trx,
        workspace,
        {
          type: "deal.stage_changed",
          contactId: deal.contact_id,
          data: { ...action.data, deal_id: deal.id, from: fromStage, to: action.stage },
          occurredAtUtcMs: action.occurredAtUtcMs,
          source: `hook:${source}`,
          dedupeKey: action.dedupeKey,
        },
        nowUtcMs,
      );
      return eventResult("deal.stage_changed", ingested.event.id, deal.contact_id, ingested.duplicate);
    }
    case "crm_contact_changed": {
      const contact = await contactByHubSpotId(trx, workspace.id, action.crmContactId);
      const ingested = await ingestEvent(
        trx,
        workspace,
        {
          type: "contact.updated",
          contactId: contact?.id ?? null,
          data: action.data,
          occurredAtUtcMs: action.occurredAtUtcMs,
          source: `hook:${source}`,
          dedupeKey: action.dedupeKey,
        },
        nowUtcMs,
      );
      return eventResult("contact.updated", ingested.event.id, contact?.id ?? null, ingested.duplicate);
    }
    default: {
      const unhandled: never = action;
      throw new Error(`unhandled hook action ${JSON.stringify(unhandled)}`);
    }
  }
}

function eventResult(type: string, eventId: string | null, contactId: string | null, duplicate: boolean) {
  return { type, event_id: eventId, contact_id: contactId, duplicate };
}

async function eventWithKeyExists(db: Executor, workspaceId: string, dedupeKey: string): Promise<boolean> {
  const row = await db
    .selectFrom("events")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("dedupe_key", "=", dedupeKey)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The contact whose `fields.hubspot_id` is this id. Custom fields are JSON text on both engines:
 * a substring match narrows the rows (JSON.stringify writes no spaces), parsing confirms.
 */
async function contactByHubSpotId(
  db: Executor,
  workspaceId: string,
  hubSpotId: string,
): Promise<Contact | null> {
  // HubSpot ids are numbers; anything else could carry LIKE wildcards and matches no contact.
  if (!/^[0-9A-Za-z-]{1,64}$/.test(hubSpotId)) return null;
  const rows = await db
    .selectFrom("contacts")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where((eb) =>
      eb.or([
        eb("fields_json", "like", `%"hubspot_id":"${hubSpotId}"%`),
        eb("fields_json", "like", `%"hubspot_id":${hubSpotId}%`),
      ]),
    )
    .orderBy("id")
    .limit(20)
    .execute();
  const row = rows.find((r) => String(readJsonObject(r.fields_json).hubspot_id) === hubSpotId);
  return row ? toContact(row) : null;
}
