// /v1/sandbox: what a sandbox workspace would have delivered (captured messages, parsed) and
// its test clock, which `advance` moves forward while running everything that falls due.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { simpleParser } from "mailparser";
import { z } from "zod";
import { parseDelay } from "../../domain/time/index.ts";
import { advanceClock } from "../../engine/advanceClock.ts";
import { findCapturedMessage } from "../../store/repos/capturedMessageLookup.ts";
import { type CapturedMessage, listCapturedMessages } from "../../store/repos/capturedMessages.ts";
import { authOf, workspaceOf } from "../context.ts";
import { ApiProblem, notFound } from "../problem.ts";
import { Email, IdParams, IsoTime, iso, pageOf, pageSchema, withProblems } from "../schemas/common.ts";

const CapturedOut = z
  .object({
    id: z.string(),
    message_id: z.string(),
    channel: z.enum(["email", "sms", "voicemail", "webhook"]),
    to: z.string(),
    captured_at: IsoTime,
    from: z.string().nullable(),
    subject: z.string().nullable(),
    headers: z.record(z.string(), z.string()).describe("top-level headers, lower-case names"),
    text: z.string().nullable(),
    html: z.string().nullable(),
  })
  .meta({ id: "CapturedMessage" });

const CapturedWithRaw = CapturedOut.extend({
  raw: z.string().describe("the full MIME message (or SMS text)"),
}).meta({
  id: "CapturedMessageRaw",
});

async function toCapturedOut(row: CapturedMessage): Promise<z.infer<typeof CapturedOut>> {
  const base = {
    id: row.id,
    message_id: row.message_id,
    channel: row.channel,
    to: row.to_address,
    captured_at: iso(row.captured_at),
  };
  if (row.channel !== "email") {
    return { ...base, from: null, subject: null, headers: {}, text: row.raw, html: null };
  }
  const parsed = await simpleParser(row.raw, { skipImageLinks: true });
  const headers: Record<string, string> = {};
  for (const line of parsed.headerLines) {
    const value = line.line
      .slice(line.line.indexOf(":") + 1)
      .replace(/\r?\n[ \t]+/g, " ")
      .trim();
    headers[line.key] = headers[line.key] ? `${headers[line.key]}, ${value}` : value;
  }
  return {
    ...base,
    from: parsed.from?.text ?? null,
    subject: parsed.subject ?? null,
    headers,
    text: parsed.text ?? null,
    html: typeof parsed.html === "string" ? parsed.html : null,
  };
}

const MessagesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(300).optional(),
  to: Email.optional().describe("only messages to this address"),
});

const ClockOut = z
  .object({
    mode: z.enum(["sandbox", "live"]),
    test_clock: z.boolean(),
    now: IsoTime,
    time_zone: z.string(),
  })
  .meta({ id: "SandboxClock" });

const AdvanceBody = z
  .strictObject({
    by: z
      .string()
      .min(1)
      .max(50)
      .describe('how far: minutes, hours, days or weeks, e.g. "90m", "2h", "3d", "1w"'),
  })
  .meta({ id: "ClockAdvance" });

const AdvanceReport = z
  .object({
    from: IsoTime,
    to: IsoTime,
    ticks: z.number().int(),
    enrollments_processed: z.number().int(),
    messages_captured: z.number().int(),
    messages_deferred: z.number().int(),
    messages_held: z.number().int(),
  })
  .meta({ id: "ClockAdvanceReport" });

const MINUTE_MS = 60_000;
const MAX_ADVANCE_MS = 366 * 86_400_000;

/** `3d` → ms. Only fixed lengths: a "business day" has no length without a calendar. */
export function advanceDurationMs(text: string): number | { error: string } {
  const parsed = parseDelay(text, { business: false });
  if (!parsed.ok) return { error: parsed.hint ? `${parsed.message}; ${parsed.hint}` : parsed.message };
  const delay = parsed.delay;
  switch (delay.kind) {
    case "none":
      return 0;
    case "minutes":
      return delay.minutes * MINUTE_MS;
    case "hours":
      return delay.hours * 60 * MINUTE_MS;
    case "days":
      if (delay.business) return { error: "business days have no fixed length; advance by calendar days" };
      return delay.days * 24 * 60 * MINUTE_MS;
    case "next_business_morning":
      return { error: "advance by a length (e.g. 16h, 1d), not to a time of day" };
    default: {
      const unhandled: never = delay;
      return { error: `unsupported duration ${JSON.stringify(unhandled)}` };
    }
  }
}

export const sandboxRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/v1/sandbox/messages",
    {
      schema: {
        tags: ["sandbox"],
        summary: "Messages the sandbox captured instead of delivering",
        querystring: MessagesQuery,
        response: withProblems({ 200: pageSchema(CapturedOut) }),
      },
    },
    async (request) => {
      const { limit, cursor, to } = request.query;
      const rows = await listCapturedMessages(app.nudge.engine.db, (await workspaceOf(request)).id, {
        limit: limit + 1,
        cursor: cursor ?? null,
        ...(to ? { toAddress: to } : {}),
      });
      const page = pageOf(
        rows,
        limit,
        (r) => r,
        (r) => r.id,
      );
      return { data: await Promise.all(page.data.map(toCapturedOut)), next_cursor: page.next_cursor };
    },
  );

  app.get(
    "/v1/sandbox/messages/:id",
    {
      schema: {
        tags: ["sandbox"],
        summary: "One captured message, with its raw MIME",
        params: IdParams,
        response: withProblems({ 200: CapturedWithRaw }),
      },
    },
    async (request) => {
      const row = await findCapturedMessage(
        app.nudge.engine.db,
        (await workspaceOf(request)).id,
        request.params.id,
      );
      if (!row) throw notFound("captured message", request.params.id);
      return { ...(await toCapturedOut(row)), raw: row.raw };
    },
  );

  app.get(
    "/v1/sandbox/clock",
    {
      schema: {
        tags: ["sandbox"],
        summary: "The workspace's clock",
        response: withProblems({ 200: ClockOut }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      return {
        mode: workspace.mode,
        test_clock: workspace.clock_at !== null,
        now: iso(app.nudge.now(workspace)),
        time_zone: workspace.time_zone,
      };
    },
  );

  app.post(
    "/v1/sandbox/clock/advance",
    {
      schema: {
        tags: ["sandbox"],
        summary: "Move the sandbox test clock forward, running everything that falls due on the way",
        body: AdvanceBody,
        response: withProblems({ 200: AdvanceReport }),
      },
    },
    async (request) => {
      const ms = advanceDurationMs(request.body.by);
      if (typeof ms !== "number")
        throw new ApiProblem(422, "validation-failed", `by: ${ms.error}`, [
          { field: "by", message: ms.error },
        ]);
      if (ms > MAX_ADVANCE_MS) {
        throw new ApiProblem(422, "validation-failed", "by: at most 366 days at a time", [
          { field: "by", message: "at most 366 days at a time" },
        ]);
      }
      const { engine, clock, publicUrl } = app.nudge;
      const report = await advanceClock({ engine, clock, publicUrl }, authOf(request).workspaceId, ms);
      return {
        from: iso(report.fromUtcMs),
        to: iso(report.toUtcMs),
        ticks: report.ticks,
        enrollments_processed: report.enrollmentsProcessed,
        messages_captured: report.messagesCaptured,
        messages_deferred: report.messagesDeferred,
        messages_held: report.messagesHeld,
      };
    },
  );
};
