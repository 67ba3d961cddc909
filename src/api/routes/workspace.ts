// /v1/workspace: mode (sandbox or live), time zone, clock and the settings people tune. Only
// named settings are shown: the signing secret and webhook secrets live there too and never
// leave the server. Switching live needs a mailbox that can actually send.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { capsOf } from "../../engine/workspaceCaps.ts";
import { appendAudit } from "../../store/repos/auditLog.ts";
import { hasMailboxWithSmtp } from "../../store/repos/mailboxEdits.ts";
import { setWorkspaceProfile } from "../../store/repos/workspaceProfile.ts";
import {
  setWorkspaceClock,
  setWorkspaceMode,
  updateWorkspaceSettings,
  type WorkspaceSettings,
  workspaceSettings,
} from "../../store/repos/workspaces.ts";
import type { Workspace } from "../../store/schema.ts";
import { authOf, type NudgeServices, workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { conflict } from "../problem.ts";
import { IsoTime, iso, NoBody, TimeZone, withProblems } from "../schemas/common.ts";

const WorkspaceOut = z
  .object({
    id: z.string(),
    name: z.string(),
    mode: z.enum(["sandbox", "live"]),
    time_zone: z.string(),
    created_at: IsoTime,
    clock: z.object({
      test_clock: z.boolean().describe("true while a sandbox test clock drives this workspace"),
      now: IsoTime,
    }),
    settings: z.object({
      concurrent_enrollment: z
        .enum(["allow", "skip", "queue"])
        .describe("when a contact is already running in another sequence"),
      caps: z.object({
        emails_per_7_days: z.number().int(),
        sms_per_7_days: z.number().int(),
        per_domain_per_hour: z.number().int(),
      }),
      email_domain: z.string().nullable(),
      public_url: z.string().nullable(),
      postal_address: z
        .string()
        .nullable()
        .describe("printed under every email's unsubscribe line (CAN-SPAM needs a valid postal address)"),
    }),
  })
  .meta({ id: "Workspace" });

export function toWorkspaceOut(ws: Workspace, services: NudgeServices): z.infer<typeof WorkspaceOut> {
  const settings = workspaceSettings(ws);
  const caps = capsOf(ws);
  return {
    id: ws.id,
    name: ws.name,
    mode: ws.mode,
    time_zone: ws.time_zone,
    created_at: iso(ws.created_at),
    clock: { test_clock: ws.clock_at !== null, now: iso(services.now(ws)) },
    settings: {
      concurrent_enrollment: settings.concurrentEnrollment ?? "allow",
      caps: {
        emails_per_7_days: caps.emailsPerContact.limit,
        sms_per_7_days: caps.smsPerContact.limit,
        per_domain_per_hour: caps.perRecipientDomain.limit,
      },
      email_domain: typeof settings.emailDomain === "string" ? settings.emailDomain : null,
      public_url: typeof settings.publicUrl === "string" ? settings.publicUrl : null,
      postal_address: typeof settings.postalAddress === "string" ? settings.postalAddress : null,
    },
  };
}

const Cap = z.number().int().min(0).max(100_000);

const WorkspacePatch = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    time_zone: TimeZone.optional(),
    settings: z
      .strictObject({
        concurrent_enrollment: z.enum(["allow", "skip", "queue"]).optional(),
        caps: z
          .strictObject({
            emails_per_7_days: Cap.optional(),
            sms_per_7_days: Cap.optional(),
            per_domain_per_hour: Cap.optional(),
          })
          .optional(),
        email_domain: z
          .string()
          .regex(/^(?!-)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/i, "a domain such as mail.example.com")
          .nullish(),
        public_url: z
          .url({ protocol: /^https?$/ })
          .max(500)
          .nullish(),
        postal_address: z
          .string()
          .trim()
          .min(5, "a postal address such as: Acme Inc., 1 Main St, Springfield, IL 62701, USA")
          .max(300)
          .nullish()
          .describe("the sender's postal address for email footers; null removes it"),
      })
      .optional(),
  })
  .meta({ id: "WorkspacePatch" });

export const workspaceRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/v1/workspace",
    {
      schema: {
        tags: ["workspace"],
        summary: "The workspace: mode, time zone, clock, settings",
        response: withProblems({ 200: WorkspaceOut }),
      },
    },
    async (request) => toWorkspaceOut(await workspaceOf(request), app.nudge),
  );

  app.patch(
    "/v1/workspace",
    {
      schema: {
        tags: ["workspace"],
        summary: "Change the name, time zone, caps or enrollment policy",
        body: WorkspacePatch,
        response: withProblems({ 200: WorkspaceOut }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const { name, time_zone, settings } = request.body;
      const result = await commitWrite(request, async (trx) => {
        await setWorkspaceProfile(trx, workspace.id, {
          ...(name !== undefined ? { name } : {}),
          ...(time_zone !== undefined ? { timeZone: time_zone } : {}),
        });
        if (settings) {
          const current = workspaceSettings(workspace);
          const patch: WorkspaceSettings = {};
          if (settings.concurrent_enrollment !== undefined)
            patch.concurrentEnrollment = settings.concurrent_enrollment;
          if (settings.caps !== undefined) {
            patch.caps = {
              ...(current.caps ?? {}),
              ...(settings.caps.emails_per_7_days !== undefined
                ? { emailsPer7Days: settings.caps.emails_per_7_days }
                : {}),
              ...(settings.caps.sms_per_7_days !== undefined
                ? { smsPer7Days: settings.caps.sms_per_7_days }
                : {}),
              ...(settings.caps.per_domain_per_hour !== undefined
                ? { perDomainPerHour: settings.caps.per_domain_per_hour }
                : {}),
            };
          }
          if (settings.email_domain !== undefined) patch.emailDomain = settings.email_domain ?? undefined;
          if (settings.public_url !== undefined) patch.publicUrl = settings.public_url ?? undefined;
          if (settings.postal_address !== undefined)
            patch.postalAddress = settings.postal_address ?? undefined;
          await updateWorkspaceSettings(trx, workspace.id, patch);
        }
        await appendAudit(
          trx,
          {
            workspaceId: workspace.id,
            actor: `api:${authOf(request).keyId}`,
            action: "workspace.updated",
            targetType: "workspace",
            targetId: workspace.id,
            data: { fields: Object.keys(request.body) },
          },
          now,
        );
        return { statusCode: 200, body: toWorkspaceOut(await workspaceOf(request, trx), app.nudge) };
      });
      return result.body;
    },
  );

  app.post(
    "/v1/workspace/live",
    {
      schema: {
        tags: ["workspace"],
        summary: "Switch from sandbox to live delivery (needs a mailbox with SMTP settings)",
        body: NoBody,
        response: withProblems({ 200: WorkspaceOut }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const result = await commitWrite(request, async (trx) => {
        if (!(await hasMailboxWithSmtp(trx, workspace.id))) {
          throw conflict(
            "no mailbox has SMTP settings yet: add one (POST /v1/mailboxes with `smtp`) before going live",
          );
        }
        await setWorkspaceMode(trx, workspace.id, "live");
        // A live workspace runs on the real clock.
        await setWorkspaceClock(trx, workspace.id, null);
        await appendAudit(
          trx,
          {
            workspaceId: workspace.id,
            actor: `api:${authOf(request).keyId}`,
            action: "workspace.live",
            targetType: "workspace",
            targetId: workspace.id,
          },
          now,
        );
        return { statusCode: 200, body: toWorkspaceOut(await workspaceOf(request, trx), app.nudge) };
      });
      return result.body;
    },
  );
};
