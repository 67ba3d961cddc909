// /v1/inbound: raw email in. `classify` is a dry run (what would Nudge make of this message?);
// `messages` takes a message the way the IMAP poller does — stored, matched to our touch and
// contact, and acted on (exit, pause, suppress, hand off) in one transaction.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Classification, ParsedInbound } from "../../domain/reply/types.ts";
import { classifyRaw } from "../../inbound/classifyRaw.ts";
import { processInboundEmail } from "../../inbound/processInbound.ts";
import { wakeWorker, workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { ApiProblem } from "../problem.ts";
import { withProblems } from "../schemas/common.ts";

const RAW_BODY_LIMIT_BYTES = 10 * 1_048_576;

const RawMessage = z
  .union([
    z.instanceof(Buffer).describe("the message as sent (Content-Type: message/rfc822)"),
    z.string().min(1).describe("the message as text (Content-Type: text/plain)"),
    z.strictObject({ raw: z.string().min(1).describe("the whole RFC 5322 message, headers first") }),
  ])
  .meta({ id: "RawEmail" });

const ClassificationOut = z
  .object({
    class: z.enum(["bounce_hard", "bounce_soft", "auto_reply", "unsubscribe_request", "human_reply"]),
    intent: z.string().nullable(),
    return_date: z.string().nullable().describe("out-of-office return date, YYYY-MM-DD"),
    rule: z.string().describe("what decided, in words"),
    confidence: z.number(),
    bounce: z
      .object({
        recipient: z.string().nullable(),
        status: z.string().nullable(),
        mta: z.string().nullable(),
        diagnostic: z.string().nullable(),
        original_message_id: z.string().nullable(),
      })
      .nullable(),
    referral: z.object({ name: z.string().nullable(), email: z.string().nullable() }).nullable(),
  })
  .meta({ id: "InboundClassification" });

// The dry run answers the same fields as `nudge inbound classify --json` at the top level.
const ClassifyOut = ClassificationOut.extend({
  message: z.object({
    from: z.string().nullable(),
    to: z.array(z.string()),
    subject: z.string(),
    message_id: z.string().nullable(),
    in_reply_to: z.string().nullable(),
    date: z.string().nullable(),
  }),
  warnings: z.array(z.string()),
}).meta({ id: "InboundDryRun" });

const IntakeOut = z
  .object({
    id: z.string().nullable().describe("the stored inbound message"),
    duplicate: z.boolean().describe("the same Message-ID came in before: nothing happened again"),
    classification: ClassificationOut.nullable(),
    contact_id: z.string().nullable(),
    matched_message_id: z.string().nullable().describe("our touch this answers or reports on"),
    matched_by: z.enum(["thread", "bounce_original", "bounce_recipient", "sender"]).nullable(),
    actions: z.array(z.string()).describe("what Nudge did about it"),
  })
  .meta({ id: "InboundIntake" });

/** RFC 5322 forbids NUL in a message, and PostgreSQL cannot store it in text: refused up front. */
function rawOf(body: z.infer<typeof RawMessage>): Buffer | string {
  const raw = typeof body === "string" || Buffer.isBuffer(body) ? body : body.raw;
  if (Buffer.isBuffer(raw) ? raw.includes(0) : raw.includes("\u0000")) {
    throw unreadable("the message contains a NUL byte, which email never carries");
  }
  return raw;
}

function toClassificationOut(c: Classification): z.infer<typeof ClassificationOut> {
  return {
    class: c.class,
    intent: c.intent ?? null,
    return_date: c.returnDate ?? null,
    rule: c.rule,
    confidence: c.confidence,
    bounce: c.bounce
      ? {
          recipient: c.bounce.recipient,
          status: c.bounce.status,
          mta: c.bounce.mta,
          diagnostic: c.bounce.diagnostic,
          original_message_id: c.bounce.originalMessageId,
        }
      : null,
    referral: c.referral ? { name: c.referral.name ?? null, email: c.referral.email ?? null } : null,
  };
}

function summaryOf(m: ParsedInbound): z.infer<typeof ClassifyOut>["message"] {
  return {
    from: m.from?.address || null,
    to: m.to.map((a) => a.address).filter((a) => a !== ""),
    subject: m.subject,
    message_id: m.messageId,
    in_reply_to: m.inReplyTo,
    date: m.date,
  };
}

function unreadable(message: string): ApiProblem {
  return new ApiProblem(422, "validation-failed", `raw: ${message}`, [{ field: "raw", message }]);
}

export const inboundRoutes: FastifyPluginAsyncZod = async (app) => {
  // Raw mail is bytes: kept as a Buffer so no charset guess happens before the MIME parser.
  app.addContentTypeParser("message/rfc822", { parseAs: "buffer" }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    "/v1/inbound/classify",
    {
      bodyLimit: RAW_BODY_LIMIT_BYTES,
      config: { allow: ["rep", "ingest"] },
      schema: {
        tags: ["inbound"],
        summary: "Dry run: how Nudge would classify a raw email (reply, out-of-office, bounce, opt-out)",
        consumes: ["message/rfc822", "text/plain", "application/json"],
        body: RawMessage,
        response: withProblems({ 200: ClassifyOut }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const result = await classifyRaw(rawOf(request.body), {
        receivedAtUtcMs: app.nudge.now(workspace),
        defaultZone: workspace.time_zone,
      });
      if (!result.ok) throw unreadable(result.error.message);
      return {
        ...toClassificationOut(result.classification),
        message: summaryOf(result.message),
        warnings: result.warnings,
      };
    },
  );

  // `/v1/inbound/email` is the name issue readers and providers' docs use; `/messages` the REST one.
  for (const url of ["/v1/inbound/email", "/v1/inbound/messages"])
    app.post(
      url,
      {
        bodyLimit: RAW_BODY_LIMIT_BYTES,
        config: { allow: ["ingest"] },
        schema: {
          tags: ["inbound"],
          summary: "Take in a raw email as the IMAP poller would: store, match, and act on it",
          consumes: ["message/rfc822", "text/plain", "application/json"],
          body: RawMessage,
          response: withProblems({ 200: IntakeOut }),
        },
      },
      async (request) => {
        const workspace = await workspaceOf(request);
        const now = app.nudge.now(workspace);
        const raw = rawOf(request.body);
        const result = await commitWrite(request, async (trx) => {
          const outcome = await processInboundEmail(trx, workspace, raw, { source: "api" }, now);
          // Unreadable input is found before anything is written.
          if (outcome.error !== undefined) throw unreadable(outcome.error);
          return {
            statusCode: 200,
            body: {
              id: outcome.inbound?.id ?? null,
              duplicate: outcome.duplicate,
              classification: outcome.classification ? toClassificationOut(outcome.classification) : null,
              contact_id: outcome.contactId,
              matched_message_id: outcome.matchedMessageId,
              matched_by: outcome.matchedBy,
              actions: outcome.actions,
            },
          };
        });
        await wakeWorker(app.nudge.engine);
        return result.body;
      },
    );
};
