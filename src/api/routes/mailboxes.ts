// /v1/mailboxes: sender identities. SMTP/IMAP credentials are accepted on write and never
// leave the server: every answer goes through toPublicMailbox, and the server's log redacts them.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { dkimKeyProblem, readStoredDkimKey } from "../../channels/email/dkimKeys.ts";
import { appendAudit } from "../../store/repos/auditLog.ts";
import { deleteMailbox, updateMailbox } from "../../store/repos/mailboxEdits.ts";
import { createMailbox, getMailbox, listMailboxes, toPublicMailbox } from "../../store/repos/mailboxes.ts";
import type { MailboxRow } from "../../store/schema.ts";
import { authOf, workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { conflict, invalidField, notFound } from "../problem.ts";
import { requireUserId } from "../references.ts";
import { Email, IdParams, PageQuery, pageInMemory, pageSchema, withProblems } from "../schemas/common.ts";

const Host = z.string().trim().min(1).max(253);
const Port = z.number().int().min(1).max(65535);

const SmtpIn = z.strictObject({
  host: Host,
  port: Port,
  secure: z.boolean().optional().describe("implicit TLS (port 465); otherwise STARTTLS when offered"),
  user: z.string().max(320).optional(),
  pass: z.string().max(1000).optional().describe("write-only: never returned"),
  allow_self_signed: z
    .boolean()
    .optional()
    .describe("accept a TLS certificate that does not verify (internal relays); default false"),
});

const ImapIn = z.strictObject({
  host: Host,
  port: Port,
  secure: z.boolean().optional(),
  user: z.string().min(1).max(320),
  pass: z.string().min(1).max(1000).describe("write-only: never returned"),
  mailbox: z.string().min(1).max(200).optional().describe("default INBOX"),
  allow_self_signed: z
    .boolean()
    .optional()
    .describe("accept a TLS certificate that does not verify (internal relays); default false"),
});

const DkimIn = z.strictObject({
  domain: z
    .string()
    .regex(/^(?!-)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/i, "a domain such as example.com")
    .optional()
    .describe("the signing domain (d=); default: the domain of from_address"),
  selector: z
    .string()
    .trim()
    .min(1)
    .max(63)
    .describe("the DNS selector (s=): <selector>._domainkey.<domain>"),
  private_key: z
    .string()
    .max(10_000)
    .describe("write-only: the RSA private key in PEM (2048 bits recommended); never returned"),
});

/** A key that cannot sign would send mail unsigned without a word: refuse it when stored. */
function checkDkim(stored: { selector?: string; privateKey?: string } | null): void {
  if (!stored) return;
  if (!stored.privateKey) throw invalidField("dkim.private_key", "a DKIM key needs its private_key");
  const problem = dkimKeyProblem({ selector: stored.selector ?? "", privateKey: stored.privateKey });
  if (problem) {
    throw invalidField(problem.startsWith("the selector") ? "dkim.selector" : "dkim.private_key", problem);
  }
}

function dkimInput(d: {
  domain?: string | undefined;
  selector?: string | undefined;
  private_key?: string | undefined;
}) {
  return {
    ...(d.domain !== undefined ? { domain: d.domain.toLowerCase() } : {}),
    ...(d.selector !== undefined ? { selector: d.selector } : {}),
    ...(d.private_key !== undefined ? { privateKey: d.private_key } : {}),
  };
}

const MailboxCreate = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    from_name: z.string().trim().min(1).max(200),
    from_address: Email,
    reply_to: Email.nullish(),
    signature: z.string().max(5000).nullish(),
    user_id: z.string().max(200).nullish(),
    smtp: SmtpIn.nullish(),
    imap: ImapIn.nullish(),
    dkim: DkimIn.nullish().describe("DKIM signing key; the private key is write-only"),
    daily_limit: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .optional()
      .describe("sends per rolling 24 hours; default 200"),
    is_default: z.boolean().optional(),
  })
  .meta({ id: "MailboxCreate" });

const MailboxPatch = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    from_name: z.string().trim().min(1).max(200).optional(),
    from_address: Email.optional(),
    reply_to: Email.nullish(),
    signature: z.string().max(5000).nullish(),
    user_id: z.string().max(200).nullish(),
    smtp: SmtpIn.partial().nullish().describe("merged over the stored settings; null removes them"),
    imap: ImapIn.partial().nullish(),
    dkim: DkimIn.partial()
      .nullish()
      .describe("merged over the stored key (omit private_key to keep it); null removes it"),
    daily_limit: z.number().int().min(1).max(100_000).optional(),
    is_default: z.boolean().optional(),
  })
  .meta({ id: "MailboxPatch" });

const MailboxOut = z
  .object({
    id: z.string(),
    name: z.string(),
    from_name: z.string(),
    from_address: z.string(),
    reply_to: z.string().nullable(),
    signature: z.string().nullable(),
    user_id: z.string().nullable(),
    daily_limit: z.number().int(),
    is_default: z.boolean(),
    smtp: z
      .object({
        host: z.string(),
        port: z.number().int(),
        secure: z.boolean(),
        user: z.string().nullable(),
        has_password: z.boolean(),
      })
      .nullable(),
    imap: z
      .object({
        host: z.string(),
        port: z.number().int(),
        secure: z.boolean(),
        user: z.string(),
        mailbox: z.string(),
        has_password: z.boolean(),
      })
      .nullable(),
    dkim: z
      .object({
        domain: z.string(),
        selector: z.string(),
        record_name: z.string().describe("where the public key is published: <selector>._domainkey.<domain>"),
        has_private_key: z.boolean(),
      })
      .nullable(),
  })
  .meta({ id: "Mailbox" });

function toMailboxOut(row: MailboxRow): z.infer<typeof MailboxOut> {
  const m = toPublicMailbox(row);
  // Whether a password is stored, read without ever holding it in the answer.
  const stored = (json: string | null) => {
    try {
      const pass = json ? (JSON.parse(json) as { pass?: unknown }).pass : undefined;
      return typeof pass === "string" && pass !== "";
    } catch {
      return false;
    }
  };
  return {
    id: m.id,
    name: m.name,
    from_name: m.fromName,
    from_address: m.fromAddress,
    reply_to: m.replyTo,
    signature: m.signature,
    user_id: m.userId,
    daily_limit: m.dailyLimit,
    is_default: m.isDefault,
    smtp: m.smtp ? { ...m.smtp, has_password: stored(row.smtp_json) } : null,
    imap: m.imap ? { ...m.imap, has_password: stored(row.imap_json) } : null,
    dkim: m.dkim
      ? {
          ...m.dkim,
          record_name: `${m.dkim.selector}._domainkey.${m.dkim.domain}`,
          has_private_key: readStoredDkimKey(row.dkim_json) !== null,
        }
      : null,
  };
}

export const mailboxRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/v1/mailboxes",
    {
      schema: {
        tags: ["mailboxes"],
        summary: "List mailboxes (credentials are never returned)",
        querystring: PageQuery,
        response: withProblems({ 200: pageSchema(MailboxOut) }),
      },
    },
    async (request) =>
      pageInMemory(
        await listMailboxes(app.nudge.engine.db, (await workspaceOf(request)).id),
        request.query,
        toMailboxOut,
      ),
  );

  app.post(
    "/v1/mailboxes",
    {
      schema: {
        tags: ["mailboxes"],
        summary: "Add a mailbox",
        body: MailboxCreate,
        response: withProblems({ 201: MailboxOut }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const b = request.body;
      const result = await commitWrite(request, async (trx) => {
        if (b.user_id) await requireUserId(trx, workspace.id, b.user_id, "user_id");
        const dkim = b.dkim
          ? { selector: b.dkim.selector, privateKey: b.dkim.private_key, ...dkimInput(b.dkim) }
          : null;
        checkDkim(dkim);
        const row = await createMailbox(
          trx,
          workspace.id,
          {
            name: b.name,
            fromName: b.from_name,
            fromAddress: b.from_address,
            replyTo: b.reply_to ?? null,
            signature: b.signature ?? null,
            userId: b.user_id ?? null,
            smtp: b.smtp ?? null,
            imap: b.imap ?? null,
            dkim,
            ...(b.daily_limit !== undefined ? { dailyLimit: b.daily_limit } : {}),
            ...(b.is_default !== undefined ? { isDefault: b.is_default } : {}),
          },
          now,
        );
        await appendAudit(
          trx,
          {
            workspaceId: workspace.id,
            actor: `api:${authOf(request).keyId}`,
            action: "mailbox.created",
            targetType: "mailbox",
            targetId: row.id,
          },
          now,
        );
        return { statusCode: 201, body: toMailboxOut(row) };
      });
      await app.nudge.engine.notify("nudge_mailboxes");
      return reply.code(result.statusCode).send(result.body);
    },
  );

  app.get(
    "/v1/mailboxes/:id",
    {
      schema: {
        tags: ["mailboxes"],
        summary: "Read a mailbox (credentials are never returned)",
        params: IdParams,
        response: withProblems({ 200: MailboxOut }),
      },
    },
    async (request) => {
      const row = await getMailbox(app.nudge.engine.db, (await workspaceOf(request)).id, request.params.id);
      if (!row) throw notFound("mailbox", request.params.id);
      return toMailboxOut(row);
    },
  );

  app.patch(
    "/v1/mailboxes/:id",
    {
      schema: {
        tags: ["mailboxes"],
        summary: "Change a mailbox; SMTP/IMAP settings are merged (omit pass to keep it)",
        params: IdParams,
        body: MailboxPatch,
        response: withProblems({ 200: MailboxOut }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const b = request.body;
      const result = await commitWrite(request, async (trx) => {
        if (b.user_id) await requireUserId(trx, workspace.id, b.user_id, "user_id");
        if (b.dkim) {
          const existing = await getMailbox(trx, workspace.id, request.params.id);
          if (existing) checkDkim({ ...(readStoredDkimKey(existing.dkim_json) ?? {}), ...dkimInput(b.dkim) });
        }
        const row = await updateMailbox(
          trx,
          workspace.id,
          request.params.id,
          {
            ...(b.name !== undefined ? { name: b.name } : {}),
            ...(b.from_name !== undefined ? { fromName: b.from_name } : {}),
            ...(b.from_address !== undefined ? { fromAddress: b.from_address } : {}),
            ...(b.reply_to !== undefined ? { replyTo: b.reply_to } : {}),
            ...(b.signature !== undefined ? { signature: b.signature } : {}),
            ...(b.user_id !== undefined ? { userId: b.user_id } : {}),
            ...(b.smtp !== undefined ? { smtp: b.smtp } : {}),
            ...(b.imap !== undefined ? { imap: b.imap } : {}),
            ...(b.dkim !== undefined ? { dkim: b.dkim === null ? null : dkimInput(b.dkim) } : {}),
            ...(b.daily_limit !== undefined ? { dailyLimit: b.daily_limit } : {}),
            ...(b.is_default !== undefined ? { isDefault: b.is_default } : {}),
          },
          now,
        );
        if (!row) throw notFound("mailbox", request.params.id);
        await appendAudit(
          trx,
          {
            workspaceId: workspace.id,
            actor: `api:${authOf(request).keyId}`,
            action: "mailbox.updated",
            targetType: "mailbox",
            targetId: row.id,
            data: { fields: Object.keys(b) },
          },
          now,
        );
        return { statusCode: 200, body: toMailboxOut(row) };
      });
      await app.nudge.engine.notify("nudge_mailboxes");
      return result.body;
    },
  );

  app.delete(
    "/v1/mailboxes/:id",
    {
      schema: {
        tags: ["mailboxes"],
        summary: "Remove a mailbox (refused while messages are queued from it)",
        params: IdParams,
        response: withProblems({ 204: z.undefined() }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      await commitWrite(request, async (trx) => {
        const result = await deleteMailbox(trx, workspace.id, request.params.id);
        if (!result.found) throw notFound("mailbox", request.params.id);
        if (!result.deleted) {
          throw conflict(
            `${result.pendingMessages} message(s) are queued to go out from this mailbox; wait for them or exit their enrollments`,
          );
        }
        await appendAudit(
          trx,
          {
            workspaceId: workspace.id,
            actor: `api:${authOf(request).keyId}`,
            action: "mailbox.deleted",
            targetType: "mailbox",
            targetId: request.params.id,
          },
          now,
        );
        return { statusCode: 204, body: undefined };
      });
      await app.nudge.engine.notify("nudge_mailboxes");
      return reply.code(204).send();
    },
  );
};
