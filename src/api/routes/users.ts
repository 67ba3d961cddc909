// /v1/users: the reps and managers who own contacts, get tasks and send from mailboxes.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { appendAudit } from "../../store/repos/auditLog.ts";
import { createUser, getUserByEmail, listUsers } from "../../store/repos/users.ts";
import type { User } from "../../store/schema.ts";
import { authOf, workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { conflict } from "../problem.ts";
import { Email, IsoTime, iso, PageQuery, pageInMemory, pageSchema, withProblems } from "../schemas/common.ts";

const UserOut = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(["admin", "manager", "rep"]),
    active: z.boolean(),
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
    created_at: iso(u.created_at),
  };
}

const UserCreate = z
  .strictObject({
    email: Email,
    name: z.string().trim().min(1).max(200),
    role: z.enum(["admin", "manager", "rep"]).default("rep"),
  })
  .meta({ id: "UserCreate" });

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
        const user = await createUser(trx, workspace.id, request.body, now);
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
};
