// SMS and voice: the provider's signed webhooks (inbound texts, delivery status) and the
// workspace's set-up: provider account and compliance settings, sender numbers, the
// Do-Not-Call list (CSV import), contact consent, and per-step SMS/voicemail metrics.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { TWILIO_SIGNATURE_HEADER, verifyTwilioSignature } from "../../channels/sms/twilioSignature.ts";
import { parsePhone } from "../../domain/sms/phoneNumber.ts";
import { MAX_QUIET_SMS_SEGMENTS } from "../../domain/sms/stepSegments.ts";
import { smsSegments } from "../../domain/template/index.ts";
import { isAllowedQuietHoursWindow } from "../../domain/time/quietHours.ts";
import { processDialResult, processInboundCall } from "../../inbound/processInboundCall.ts";
import { processInboundSms } from "../../inbound/processInboundSms.ts";
import { applyStatusCallback } from "../../inbound/smsStatus.ts";
import { getContact, setSmsConsent } from "../../store/repos/contacts.ts";
import {
  addPhoneBlock,
  listPhoneBlocks,
  type PhoneBlockRow,
  phoneBlocksOf,
} from "../../store/repos/phoneBlocks.ts";
import {
  addSmsNumber,
  deactivateSmsNumber,
  listSmsNumbers,
  stickyNumberOf,
} from "../../store/repos/smsNumbers.ts";
import { getSmsSettingsRow, loadSmsSettings, saveSmsSettings } from "../../store/repos/smsSettings.ts";
import { getWorkspace } from "../../store/repos/workspaces.ts";
import type { Workspace } from "../../store/schema.ts";
import { transact } from "../../store/transact.ts";
import { wakeWorker, workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { phoneOrProblem } from "../phoneField.ts";
import { ApiProblem, notFound } from "../problem.ts";
import { IdParams, IsoTime, iso, isoOrNull, pageOf, pageSchema, withProblems } from "../schemas/common.ts";
import { SmsStepMetricsOut, smsStepMetrics } from "./smsMetrics.ts";

const HookParams = z.strictObject({ workspaceId: z.string().min(1).max(200) });

const HHMM = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, "HH:MM");

const SmsSettingsOut = z
  .object({
    provider: z.literal("twilio"),
    account_sid: z.string().nullable(),
    auth_token_set: z.boolean().describe("the token itself is never returned"),
    api_base_url: z.string().nullable(),
    configured: z.boolean(),
    require_consent: z.boolean(),
    texting_hours: z.object({ start: z.string(), end: z.string() }),
    default_region: z.string(),
    help_text: z.string(),
    stop_text: z.string(),
    start_text: z.string(),
    voice_webhook_url: z.string().describe("set as the Voice URL of each number: call-backs reach the rep"),
    inbound_webhook_url: z.string(),
    status_callback_url: z.string(),
  })
  .meta({ id: "SmsSettings" });

const SmsSettingsPatch = z
  .strictObject({
    account_sid: z.string().trim().min(1).max(100).nullable().optional(),
    auth_token: z.string().min(1).max(200).nullable().optional(),
    api_base_url: z.url().max(500).nullable().optional(),
    require_consent: z.boolean().optional(),
    texting_hours: z
      .strictObject({ start: HHMM, end: HHMM })
      .optional()
      .describe("inside 08:00–21:00 contact-local; narrower is allowed, wider is refused"),
    default_region: z
      .string()
      .regex(/^[A-Z]{2}$/, "an ISO 3166 country code such as US")
      .optional(),
    help_text: z.string().min(1).max(320).nullable().optional(),
    stop_text: z.string().min(1).max(320).nullable().optional(),
    start_text: z.string().min(1).max(320).nullable().optional(),
  })
  .superRefine((body, ctx) => {
    if (!body.texting_hours) return;
    const window = {
      startMinute: minuteOf(body.texting_hours.start),
      endMinute: minuteOf(body.texting_hours.end),
    };
    if (!isAllowedQuietHoursWindow(window)) {
      ctx.addIssue({
        code: "custom",
        path: ["texting_hours"],
        message: "texting hours must lie inside 08:00–21:00 and start before they end",
      });
    }
  })
  .meta({ id: "SmsSettingsPatch" });

const SmsNumberOut = z
  .object({
    id: z.string(),
    number: z.string(),
    country: z.string().nullable(),
    area_code: z.string().nullable(),
    sms: z.boolean(),
    voice: z.boolean(),
    active: z.boolean(),
    created_at: IsoTime,
  })
  .meta({ id: "SmsNumber" });

const SmsNumberCreate = z
  .strictObject({
    number: z.string().trim().min(3).max(40),
    sms: z.boolean().optional(),
    voice: z.boolean().optional(),
  })
  .meta({ id: "SmsNumberCreate" });

const PhoneBlockOut = z
  .object({
    id: z.string(),
    phone: z.string(),
    kind: z.enum(["sms_opt_out", "sms_undeliverable", "do_not_call"]),
    source: z.string(),
    detail: z.string().nullable(),
    created_at: IsoTime,
  })
  .meta({ id: "PhoneBlock" });

const DncImportResult = z
  .object({
    added: z.number().int(),
    already_listed: z.number().int(),
    rejected: z.array(z.object({ line: z.number().int(), value: z.string(), reason: z.string() })),
  })
  .meta({ id: "DncImportResult" });

const ConsentIn = z
  .strictObject({
    state: z.enum(["granted", "revoked", "unknown"]),
    source: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe("where the consent came from: a form, a call, a signed paper"),
  })
  .meta({ id: "SmsConsentUpdate" });

const ContactSmsOut = z
  .object({
    contact_id: z.string(),
    phone: z.string().nullable(),
    phone_e164: z.string().nullable(),
    consent: z.object({
      state: z.enum(["granted", "revoked", "unknown"]),
      source: z.string().nullable(),
      at: IsoTime.nullable(),
    }),
    sender_number: z.string().nullable(),
    blocks: z.array(PhoneBlockOut),
  })
  .meta({ id: "ContactSms" });

const SmsSegmentsOut = z
  .object({
    encoding: z.enum(["GSM-7", "UCS-2"]),
    segments: z.number().int(),
    characters: z.number().int(),
    warning: z.boolean().describe("more than 3 segments"),
  })
  .meta({ id: "SmsSegments" });

function minuteOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function hhmmOf(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

function toBlockOut(b: PhoneBlockRow): z.infer<typeof PhoneBlockOut> {
  return {
    id: b.id,
    phone: b.phone,
    kind: b.kind,
    source: b.source,
    detail: b.detail,
    created_at: iso(b.created_at),
  };
}

/** Form fields as the signature covers them: every value, repeated names kept. */
function formParams(body: unknown): Record<string, string | string[]> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return {};
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === "string") params[key] = value;
    else if (Array.isArray(value)) params[key] = value.filter((v): v is string => typeof v === "string");
  }
  return params;
}

function first(params: Record<string, string | string[]>, name: string): string | null {
  const value = params[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** TwiML answering a webhook: one reply text, or nothing. */
export function twimlAnswer(text: string | null): string {
  return twiml(text ? `<Message>${xmlEscape(text)}</Message>` : "");
}

/**
 * The workspace a provider webhook is for, after its signature checked out against the
 * workspace's auth token over our public URL of the request and the form parameters.
 */
async function signedHookWorkspace(request: FastifyRequest, workspaceId: string): Promise<Workspace> {
  const { engine, publicUrl } = request.server.nudge;
  const workspace = await getWorkspace(engine.db, workspaceId);
  const row = workspace ? await getSmsSettingsRow(engine.db, workspace.id) : undefined;
  const header = request.headers[TWILIO_SIGNATURE_HEADER];
  const ok =
    !!workspace &&
    !!row?.auth_token &&
    verifyTwilioSignature({
      authToken: row.auth_token,
      url: `${publicUrl.replace(/\/+$/, "")}${request.url}`,
      params: formParams(request.body),
      header: Array.isArray(header) ? header[0] : header,
    });
  if (!ok || !workspace) throw new ApiProblem(401, "unauthorized", "the X-Twilio-Signature does not match");
  return workspace;
}

/** How long a forwarded call rings at the rep's phone before the caller hears the message. */
const FORWARD_RING_SECONDS = 20;

function twiml(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
}

/** Answers a provider webhook with TwiML. */
function sendTwiml(reply: FastifyReply, xml: string): FastifyReply {
  return reply.code(200).type("text/xml").send(xml);
}

function missedCallSay(workspace: Workspace): string {
  const text = `Thanks for calling ${workspace.name}. We got your call and will call you back shortly.`;
  return `<Say>${xmlEscape(text)}</Say>`;
}

export const smsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    "/hooks/sms/:workspaceId/inbound",
    {
      config: { public: true },
      schema: {
        tags: ["sms"],
        summary: "Inbound texts from the provider (X-Twilio-Signature); answers TwiML",
        security: [],
        params: HookParams,
        response: withProblems({ 200: z.string().describe("TwiML (text/xml)") }),
      },
    },
    async (request, reply) => {
      const workspace = await signedHookWorkspace(request, request.params.workspaceId);
      const params = formParams(request.body);
      const messageSid = first(params, "MessageSid") ?? first(params, "SmsSid");
      const from = first(params, "From");
      if (!messageSid || !from) throw new ApiProblem(400, "bad-request", "MessageSid and From are required");
      const outcome = await transact(app.nudge.engine, (trx) =>
        processInboundSms(
          trx,
          workspace,
          { messageSid, from, to: first(params, "To") ?? "", body: first(params, "Body") ?? "" },
          app.nudge.now(workspace),
        ),
      );
      await wakeWorker(app.nudge.engine);
      return sendTwiml(reply, twimlAnswer(outcome.duplicate ? null : outcome.answer));
    },
  );

  app.post(
    "/hooks/sms/:workspaceId/voice",
    {
      config: { public: true },
      schema: {
        tags: ["sms"],
        summary:
          "Inbound calls to our numbers (the number's Voice URL, X-Twilio-Signature): a call-back ends the caller's enrollments as replied and gives their rep a call-back task; answers TwiML",
        security: [],
        params: HookParams,
        response: withProblems({ 200: z.string().describe("TwiML (text/xml)") }),
      },
    },
    async (request, reply) => {
      const workspace = await signedHookWorkspace(request, request.params.workspaceId);
      const params = formParams(request.body);
      const callSid = first(params, "CallSid");
      const from = first(params, "From");
      if (!callSid || !from) throw new ApiProblem(400, "bad-request", "CallSid and From are required");
      const outcome = await transact(app.nudge.engine, (trx) =>
        processInboundCall(
          trx,
          workspace,
          { callSid, from, to: first(params, "To") ?? "" },
          app.nudge.now(workspace),
        ),
      );
      await wakeWorker(app.nudge.engine);
      if (!outcome.forwardTo) return sendTwiml(reply, twiml(missedCallSay(workspace)));
      // Put through to the rep; the caller's number shows on the rep's phone. How it ended
      // comes back to the action URL, which says goodbye when nobody picked up.
      const action = `${app.nudge.publicUrl.replace(/\/+$/, "")}/hooks/sms/${workspace.id}/voice/dial-result`;
      return sendTwiml(
        reply,
        twiml(
          `<Dial timeout="${FORWARD_RING_SECONDS}" action="${xmlEscape(action)}" method="POST">` +
            `<Number>${xmlEscape(outcome.forwardTo)}</Number></Dial>`,
        ),
      );
    },
  );

  app.post(
    "/hooks/sms/:workspaceId/voice/dial-result",
    {
      config: { public: true },
      schema: {
        tags: ["sms"],
        summary:
          "How a call put through to a rep ended (the <Dial> action, X-Twilio-Signature): answered closes the call-back task as connected; otherwise the caller hears that they will be called back",
        security: [],
        params: HookParams,
        response: withProblems({ 200: z.string().describe("TwiML (text/xml)") }),
      },
    },
    async (request, reply) => {
      const workspace = await signedHookWorkspace(request, request.params.workspaceId);
      const params = formParams(request.body);
      const callSid = first(params, "CallSid");
      if (!callSid) throw new ApiProblem(400, "bad-request", "CallSid is required");
      const result = await transact(app.nudge.engine, (trx) =>
        processDialResult(
          trx,
          workspace,
          { callSid, status: first(params, "DialCallStatus") ?? "" },
          app.nudge.now(workspace),
        ),
      );
      return sendTwiml(reply, twiml(result.connected ? "<Hangup/>" : missedCallSay(workspace)));
    },
  );

  app.post(
    "/hooks/sms/:workspaceId/status",
    {
      config: { public: true },
      schema: {
        tags: ["sms"],
        summary: "Delivery status callbacks for texts and voicemail drops (X-Twilio-Signature)",
        security: [],
        params: HookParams,
        response: withProblems({ 200: z.string().describe("empty TwiML") }),
      },
    },
    async (request, reply) => {
      const workspace = await signedHookWorkspace(request, request.params.workspaceId);
      const params = formParams(request.body);
      const sid = first(params, "MessageSid") ?? first(params, "CallSid");
      const status =
        first(params, "MessageStatus") ?? first(params, "CallStatus") ?? first(params, "SmsStatus");
      if (!sid || !status)
        throw new ApiProblem(400, "bad-request", "a message or call sid and status are required");
      await transact(app.nudge.engine, (trx) =>
        applyStatusCallback(
          trx,
          workspace,
          { sid, status, errorCode: first(params, "ErrorCode") },
          app.nudge.now(workspace),
        ),
      );
      return sendTwiml(reply, twimlAnswer(null));
    },
  );

  app.get(
    "/v1/sms/settings",
    {
      schema: {
        tags: ["sms"],
        summary: "The SMS/voice provider and compliance settings (the auth token is never shown)",
        response: withProblems({ 200: SmsSettingsOut }),
      },
    },
    async (request) => settingsOut(request, await workspaceOf(request)),
  );

  app.patch(
    "/v1/sms/settings",
    {
      schema: {
        tags: ["sms"],
        summary: "Set the provider account, consent rule, texting hours and compliance texts",
        body: SmsSettingsPatch,
        response: withProblems({ 200: SmsSettingsOut }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const b = request.body;
      await commitWrite(request, async (trx) => {
        await saveSmsSettings(
          trx,
          workspace.id,
          {
            ...(b.account_sid !== undefined ? { account_sid: b.account_sid } : {}),
            ...(b.auth_token !== undefined ? { auth_token: b.auth_token } : {}),
            ...(b.api_base_url !== undefined ? { api_base_url: b.api_base_url } : {}),
            ...(b.require_consent !== undefined ? { require_consent: b.require_consent ? 1 : 0 } : {}),
            ...(b.texting_hours
              ? {
                  quiet_start_minute: minuteOf(b.texting_hours.start),
                  quiet_end_minute: minuteOf(b.texting_hours.end),
                }
              : {}),
            ...(b.default_region ? { default_region: b.default_region } : {}),
            ...(b.help_text !== undefined ? { help_text: b.help_text } : {}),
            ...(b.stop_text !== undefined ? { stop_text: b.stop_text } : {}),
            ...(b.start_text !== undefined ? { start_text: b.start_text } : {}),
          },
          app.nudge.now(workspace),
        );
        return { statusCode: 200, body: null };
      });
      return settingsOut(request, workspace);
    },
  );

  app.get(
    "/v1/sms/numbers",
    {
      schema: {
        tags: ["sms"],
        summary: "The workspace's sender numbers",
        response: withProblems({ 200: z.object({ data: z.array(SmsNumberOut) }) }),
      },
    },
    async (request) => {
      const rows = await listSmsNumbers(app.nudge.engine.db, (await workspaceOf(request)).id);
      return { data: rows.map(toNumberOut) };
    },
  );

  app.post(
    "/v1/sms/numbers",
    {
      schema: {
        tags: ["sms"],
        summary: "Add a sender number to the pool (normalised to E.164)",
        body: SmsNumberCreate,
        response: withProblems({ 200: SmsNumberOut, 201: SmsNumberOut }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const settings = await loadSmsSettings(app.nudge.engine.db, workspace);
      const parsed = phoneOrProblem(request.body.number, settings.defaultRegion, "number");
      const result = await commitWrite(request, async (trx) => {
        const added = await addSmsNumber(
          trx,
          workspace.id,
          {
            number: parsed.e164,
            country: parsed.country,
            areaCode: parsed.areaCode,
            ...(request.body.sms !== undefined ? { sms: request.body.sms } : {}),
            ...(request.body.voice !== undefined ? { voice: request.body.voice } : {}),
          },
          app.nudge.now(workspace),
        );
        return { statusCode: added.created ? 201 : 200, body: toNumberOut(added.number) };
      });
      return reply.code(result.statusCode).send(result.body);
    },
  );

  app.delete(
    "/v1/sms/numbers/:id",
    {
      schema: {
        tags: ["sms"],
        summary: "Retire a sender number (contacts it reached get a new one on their next touch)",
        params: IdParams,
        response: withProblems({ 204: z.undefined() }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const done = await deactivateSmsNumber(app.nudge.engine.db, workspace.id, request.params.id);
      if (!done) throw notFound("sms number", request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    "/v1/sms/blocks",
    {
      schema: {
        tags: ["sms"],
        summary: "Blocked numbers: SMS opt-outs, undeliverable numbers, the Do-Not-Call list",
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z.string().min(1).max(300).optional(),
          kind: z.enum(["sms_opt_out", "sms_undeliverable", "do_not_call"]).optional(),
        }),
        response: withProblems({ 200: pageSchema(PhoneBlockOut) }),
      },
    },
    async (request) => {
      const { limit, cursor, kind } = request.query;
      const rows = await listPhoneBlocks(app.nudge.engine.db, (await workspaceOf(request)).id, {
        limit: limit + 1,
        cursor: cursor ?? null,
        ...(kind ? { kind } : {}),
      });
      return pageOf(rows, limit, toBlockOut, (r) => r.id);
    },
  );

  app.post(
    "/v1/sms/do-not-call/import",
    {
      bodyLimit: 5 * 1_048_576,
      schema: {
        tags: ["sms"],
        summary: "Import a Do-Not-Call list (text/csv: one number a line, or a `phone` column)",
        body: z.string().max(5 * 1_048_576),
        response: withProblems({ 200: DncImportResult }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const settings = await loadSmsSettings(app.nudge.engine.db, workspace);
      const numbers = readDncCsv(request.body, settings.defaultRegion);
      const result = await commitWrite(request, async (trx) => {
        let added = 0;
        let already = 0;
        for (const n of numbers.valid) {
          const r = await addPhoneBlock(
            trx,
            workspace.id,
            { phone: n, kind: "do_not_call", source: "csv_import" },
            app.nudge.now(workspace),
          );
          if (r.created) added++;
          else already++;
        }
        return { statusCode: 200, body: { added, already_listed: already, rejected: numbers.rejected } };
      });
      return result.body;
    },
  );

  app.get(
    "/v1/contacts/:id/sms",
    {
      schema: {
        tags: ["sms"],
        summary: "A contact's SMS consent, sender number and blocks on their number",
        params: IdParams,
        response: withProblems({ 200: ContactSmsOut }),
      },
    },
    async (request) => contactSmsOut(request, await workspaceOf(request), request.params.id),
  );

  app.put(
    "/v1/contacts/:id/sms-consent",
    {
      schema: {
        tags: ["sms"],
        summary: "Record a contact's SMS consent (or its revocation), with where it came from",
        params: IdParams,
        body: ConsentIn,
        response: withProblems({ 200: ContactSmsOut }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const contact = await getContact(app.nudge.engine.db, workspace.id, request.params.id);
      if (!contact) throw notFound("contact", request.params.id);
      await commitWrite(request, async (trx) => {
        await setSmsConsent(
          trx,
          contact.id,
          request.body.state,
          request.body.source,
          app.nudge.now(workspace),
        );
        return { statusCode: 200, body: null };
      });
      await wakeWorker(app.nudge.engine);
      return contactSmsOut(request, workspace, contact.id);
    },
  );

  app.post(
    "/v1/sms/segments",
    {
      schema: {
        tags: ["sms"],
        summary: "Segments and encoding of a text (GSM-7 or UCS-2); over 3 segments is a warning",
        body: z.strictObject({ text: z.string().max(10_000) }).meta({ id: "SmsSegmentsIn" }),
        response: withProblems({ 200: SmsSegmentsOut }),
      },
    },
    async (request) => {
      await workspaceOf(request);
      const s = smsSegments(request.body.text);
      return { ...s, warning: s.segments > MAX_QUIET_SMS_SEGMENTS };
    },
  );

  app.get(
    "/v1/sequences/:id/sms-metrics",
    {
      schema: {
        tags: ["sms"],
        summary: "Per step: texts sent, delivered, replied, opted out; voicemail drops placed and callbacks",
        params: IdParams,
        response: withProblems({ 200: SmsStepMetricsOut }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const metrics = await smsStepMetrics(app.nudge.engine.db, workspace.id, request.params.id);
      if (!metrics) throw notFound("sequence", request.params.id);
      return metrics;
    },
  );
};

function toNumberOut(n: Awaited<ReturnType<typeof listSmsNumbers>>[number]): z.infer<typeof SmsNumberOut> {
  return {
    id: n.id,
    number: n.number,
    country: n.country,
    area_code: n.area_code,
    sms: n.sms === 1,
    voice: n.voice === 1,
    active: n.active === 1,
    created_at: iso(n.created_at),
  };
}

async function settingsOut(
  request: FastifyRequest,
  workspace: Workspace,
): Promise<z.infer<typeof SmsSettingsOut>> {
  const { engine, publicUrl } = request.server.nudge;
  const s = await loadSmsSettings(engine.db, workspace);
  const base = `${publicUrl.replace(/\/+$/, "")}/hooks/sms/${workspace.id}`;
  return {
    provider: s.provider,
    account_sid: s.accountSid,
    auth_token_set: !!s.authToken,
    api_base_url: s.apiBaseUrl,
    configured: s.configured,
    require_consent: s.requireConsent,
    texting_hours: { start: hhmmOf(s.textingHours.startMinute), end: hhmmOf(s.textingHours.endMinute) },
    default_region: s.defaultRegion,
    help_text: s.helpText,
    stop_text: s.stopText,
    start_text: s.startText,
    inbound_webhook_url: `${base}/inbound`,
    voice_webhook_url: `${base}/voice`,
    status_callback_url: `${base}/status`,
  };
}

async function contactSmsOut(
  request: FastifyRequest,
  workspace: Workspace,
  contactId: string,
): Promise<z.infer<typeof ContactSmsOut>> {
  const db = request.server.nudge.engine.db;
  const row = await db
    .selectFrom("contacts")
    .selectAll()
    .where("workspace_id", "=", workspace.id)
    .where("id", "=", contactId)
    .executeTakeFirst();
  if (!row) throw notFound("contact", contactId);
  const settings = await loadSmsSettings(db, workspace);
  const parsed = parsePhone(row.phone, settings.defaultRegion);
  const e164 = parsed.ok ? parsed.e164 : null;
  const blocks = e164 ? await phoneBlocksOf(db, workspace.id, e164) : [];
  const sticky = await stickyNumberOf(db, workspace.id, row.id);
  return {
    contact_id: row.id,
    phone: row.phone,
    phone_e164: e164,
    consent: { state: row.sms_consent, source: row.sms_consent_source, at: isoOrNull(row.sms_consent_at) },
    sender_number: sticky?.number ?? null,
    blocks: blocks.map(toBlockOut),
  };
}

/** One number a line, or a CSV whose header names a `phone` (or `number`) column. */
export function readDncCsv(
  text: string,
  region: string,
): { valid: string[]; rejected: Array<{ line: number; value: string; reason: string }> } {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "")
    .toLowerCase()
    .split(",")
    .map((c) => c.trim().replace(/^"|"$/g, ""));
  const column = header.findIndex((c) => c === "phone" || c === "number" || c === "phone_number");
  const hasHeader = column >= 0 || header.some((c) => /[a-z]{3,}/.test(c));
  const valid = new Set<string>();
  const rejected: Array<{ line: number; value: string; reason: string }> = [];
  lines.forEach((line, i) => {
    if (hasHeader && i === 0) return;
    if (line.trim() === "") return;
    const cells = line.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
    const value = cells[Math.max(column, 0)] ?? "";
    const parsed = parsePhone(value, region);
    if (parsed.ok) valid.add(parsed.e164);
    else rejected.push({ line: i + 1, value: value.slice(0, 60), reason: parsed.detail });
  });
  return { valid: [...valid], rejected };
}
