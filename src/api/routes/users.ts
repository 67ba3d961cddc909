// /v1/users: the reps and managers who own contacts, get tasks and send from mailboxes.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { appendAudit } from "../../store/repos/auditLog.ts";
import { loadSmsSettings } from "../../store/repos/smsSettings.ts";
import { createUser, getUser, getUserByEmail, listUsers, updateUser } from "../../store/repos/users.ts";
import type { User, Workspace } from "../../store/schema.ts";
import { authOf, workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { phoneOrProblem } from "../phoneField.ts";
import { conflict, notFound } from "../problem.ts";
import {
  Email,
  IdParams,
  IsoTime,
  iso,
  PageQuery,
  Phone,
  pageInMemory,
  pageSchema,
  withProblems,
} from "../schemas/common.ts";

const UserOut = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(["admin", "manager", "rep"]),
    active: z.boolean(),
    phone: z
      .string()
      .nullable()
      .describe("E.164; inbound calls from the user's contacts are put through to it"),
    created_at: IsoTime,
  })
  .meta({ id: "User" });

function toUserOut(u: User): z.infer<typeof UserOut> {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    active: u.active === 1,
    phone: u.phone,
    created_at: iso(u.created_at),
  };
}

const UserCreate = z
  .strictObject({
    email: Email,
    name: z.string().trim().min(1).max(200),
    role: z.enum(["admin", "manager", "rep"]).default("rep"),
    phone: Phone.nullish().describe(
      "the user's own phone; a contact who calls one of the workspace's numbers is put through to their owner's phone",
    ),
  })
  .meta({ id: "UserCreate" });

const UserPatch = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    role: z.enum(["admin", "manager", "rep"]).optional(),
    phone: Phone.nullable().optional().describe("null removes it"),
    active: z.boolean().optional().describe("false: no new tasks, no call forwarding, cannot sign in"),
  })
  .meta({ id: "UserPatch" });

/** The phone in E.164, read with the workspace's default region; a 422 naming `phone` otherwise. */
async function e164OrProblem(
  db: Parameters<typeof loadSmsSettings>[0],
  workspace: Workspace,
  phone: string | null | undefined,
): Promise<string | null | undefined> {
  if (phone === undefined || phone === null) return phone;
  const settings = await loadSmsSettings(db, workspace);
  return phoneOrProblem(phone, settings.defaultRegion, "phone").e164;
}

export const userRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/v1/users",
    {
      schema: {
        tags: ["users"],
        summary: "List users",
        querystring: PageQuery,
        response: withProblems({ 200: pageSchema(UserOut) }),
      },
    },
    async (request) =>
      pageInMemory(
        await listUsers(app.nudge.engine.db, (await workspaceOf(request)).id),
        request.query,
        toUserOut,
      ),
  );

  app.post(
    "/v1/users",
    {
      schema: {
        tags: ["users"],
        summary: "Add a rep, manager or admin",
        body: UserCreate,
        response: withProblems({ 201: UserOut }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const result = await commitWrite(request, async (trx) => {
        if (await getUserByEmail(trx, workspace.id, request.body.email)) {
          throw conflict(`a user with the email ${request.body.email} exists`);
        }
        const phone = await e164OrProblem(trx, workspace, request.body.phone);
        const user = await createUser(trx, workspace.id, { ...request.body, phone: phone ?? null }, now);
        await appendAudit(
          trx,
          {
            workspaceId: workspace.id,
            actor: `api:${authOf(request).keyId}`,
            action: "user.created",
            targetType: "user",
            targetId: user.id,
          },
          now,
        );
        return { statusCode: 201, body: toUserOut(user) };
      });
      return reply.code(result.statusCode).send(result.body);
    },
  );

  app.patch(
    "/v1/users/:id",
    {
      schema: {
        tags: ["users"],
        summary: "Change a user's name, role, phone or active flag",
        params: IdParams,
        body: UserPatch,
        response: withProblems({ 200: UserOut }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const b = request.body;
      const result = await commitWrite(request, async (trx) => {
        if (!(await getUser(trx, workspace.id, request.params.id))) throw notFound("user", request.params.id);
        const phone = await e164OrProblem(trx, workspace, b.phone);
        const user = await updateUser(trx, workspace.id, request.params.id, {
          ...(b.name !== undefined ? { name: b.name } : {}),
          ...(b.role !== undefined ? { role: b.role } : {}),
          ...(phone !== undefined ? { phone } : {}),
          ...(b.active !== undefined ? { active: b.active ? 1 : 0 } : {}),
        });
        if (!user) throw notFound("user", request.params.id);
        await appendAudit(
          trx,
          {
            workspaceId: workspace.id,
            actor: `api:${authOf(request).keyId}`,
            action: "user.updated",
            targetType: "user",
            targetId: user.id,
          },
          now,
        );
        return { statusCode: 200, body: toUserOut(user) };
      });
      return result.body;
    },
  );
};
