// /v1/session: how people sign in to the web app. A sign-in is a random token in an HttpOnly,
// SameSite=Strict cookie (`nudge_session`); the database keeps only its SHA-256 (migration
// 0007_web). The cookie stands for a user, and the user's role decides the scope it acts with:
// admin and manager → `admin`, rep → `rep` (the same scopes API keys have, see src/api/auth.ts).
//
// Two ways in: email + password (set one on the web app's Settings page), or a one-time sign-in
// link that `nudge start` prints (`/login#token=…`; the token travels in the fragment, so it
// never reaches a server log). Writes made with the cookie must carry `X-Requested-With: nudge`,
// a header another site's form or image cannot send (CSRF).

import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Executor } from "../../store/executor.ts";
import type { ApiScope } from "../../store/repos/apiKeys.ts";
import { createUser, getUser } from "../../store/repos/users.ts";
import type { User } from "../../store/schema.ts";
import type { ApiAuth } from "../context.ts";
import { workspaceOf } from "../context.ts";
import { ApiProblem } from "../problem.ts";
import { IsoTime, iso, withProblems } from "../schemas/common.ts";

export const SESSION_COOKIE = "nudge_session";
export const CSRF_HEADER = "x-requested-with";
const SESSION_TTL_MS = 14 * 86_400_000;
const LOGIN_LINK_TTL_MS = 24 * 3_600_000;
const TOUCH_EVERY_MS = 60_000;

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** `scrypt$<salt b64url>$<hash b64url>` (N=16384, r=8, p=1: node's defaults). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32);
  return `scrypt$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [scheme, saltText, hashText] = (stored ?? "").split("$");
  if (scheme !== "scrypt" || !saltText || !hashText) return false;
  const expected = Buffer.from(hashText, "base64url");
  const actual = await scryptAsync(password, Buffer.from(saltText, "base64url"), expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function scopesOfRole(role: User["role"]): ApiScope[] {
  return role === "rep" ? ["rep"] : ["admin"];
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/**
 * The caller behind a session cookie, or null when there is no cookie. An unknown or expired
 * cookie, or a write without the CSRF header, is refused here.
 */
export async function authBySession(request: FastifyRequest): Promise<ApiAuth | null> {
  const token = readCookie(request.headers.cookie, SESSION_COOKIE);
  if (!token) return null;
  const { engine, clock } = request.server.nudge;
  const now = clock.nowUtcMs();
  const row = await engine.db
    .selectFrom("web_sessions")
    .innerJoin("users", "users.id", "web_sessions.user_id")
    .select([
      "web_sessions.token_hash",
      "web_sessions.workspace_id",
      "web_sessions.user_id",
      "web_sessions.expires_at",
      "web_sessions.last_seen_at",
      "users.role",
      "users.active",
    ])
    .where("web_sessions.token_hash", "=", hashToken(token))
    .executeTakeFirst();
  if (!row || Number(row.expires_at) <= now || row.active !== 1) {
    throw new ApiProblem(401, "unauthorized", "the session has ended; sign in again");
  }
  if (request.method !== "GET" && request.method !== "HEAD" && request.headers[CSRF_HEADER] !== "nudge") {
    throw new ApiProblem(
      403,
      "forbidden",
      "writes made with the session cookie need `X-Requested-With: nudge`",
    );
  }
  if (Number(row.last_seen_at) < now - TOUCH_EVERY_MS) {
    await engine.db
      .updateTable("web_sessions")
      .set({ last_seen_at: now })
      .where("token_hash", "=", row.token_hash)
      .execute();
  }
  return { workspaceId: row.workspace_id, scopes: scopesOfRole(row.role), keyId: `web:${row.user_id}` };
}

/**
 * A one-time sign-in link for the workspace's first active admin, created (as "Workspace owner",
 * owner@nudge.local) when the workspace has none. `nudge start` prints it.
 */
export async function createLoginLink(
  db: Executor,
  workspaceId: string,
  nowUtcMs: number,
  forUser?: User,
): Promise<{ token: string; user: User; expiresAt: number }> {
  let user =
    forUser ??
    (await db
      .selectFrom("users")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("role", "=", "admin")
      .where("active", "=", 1)
      .orderBy("id")
      .executeTakeFirst());
  if (!user) {
    user = await createUser(
      db,
      workspaceId,
      { email: "owner@nudge.local", name: "Workspace owner", role: "admin" },
      nowUtcMs,
    );
  }
  const token = newToken();
  const expiresAt = nowUtcMs + LOGIN_LINK_TTL_MS;
  await db
    .insertInto("web_login_links")
    .values({
      token_hash: hashToken(token),
      workspace_id: workspaceId,
      user_id: user.id,
      created_at: nowUtcMs,
      expires_at: expiresAt,
      used_at: null,
    })
    .execute();
  return { token, user, expiresAt };
}

/** Either `token` (from a sign-in link) or `email` and `password`. */
const SessionCreate = z
  .strictObject({
    token: z.string().min(1).max(200).optional(),
    email: z.string().trim().min(1).max(320).optional(),
    password: z.string().min(1).max(1000).optional(),
  })
  .meta({ id: "SessionCreate" });

const SessionOut = z
  .object({
    user: z
      .object({
        id: z.string(),
        email: z.string(),
        name: z.string(),
        role: z.enum(["admin", "manager", "rep"]),
        has_password: z.boolean(),
      })
      .nullable(),
    workspace_id: z.string(),
    scopes: z.array(z.enum(["admin", "rep", "ingest"])),
  })
  .meta({ id: "Session" });

const LinkCreate = z.strictObject({ user_id: z.string().min(1).max(200) }).meta({ id: "SignInLinkCreate" });

const LinkOut = z
  .object({ url: z.string(), user_id: z.string(), expires_at: IsoTime })
  .meta({ id: "SignInLink" });

const PasswordChange = z
  .strictObject({
    current_password: z.string().max(1000).optional(),
    new_password: z.string().min(10, "use at least 10 characters").max(1000),
  })
  .meta({ id: "PasswordChange" });

function sessionOut(user: User | null, workspaceId: string, scopes: ApiScope[]): z.infer<typeof SessionOut> {
  return {
    user: user
      ? {
          id: user.id,
          email: user.email,
          name: user.name,
          role: user.role,
          has_password: user.password_hash !== null,
        }
      : null,
    workspace_id: workspaceId,
    scopes,
  };
}

function cookieHeader(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${maxAgeSeconds}`,
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

function sessionUserId(request: FastifyRequest): string | null {
  const keyId = request.auth?.keyId ?? "";
  return keyId.startsWith("web:") ? keyId.slice("web:".length) : null;
}

const badSignIn = () => new ApiProblem(401, "unauthorized", "the email and password do not match");

export const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  const secure = app.nudge.publicUrl.startsWith("https:");

  app.post(
    "/v1/session",
    {
      config: { public: true },
      schema: {
        tags: ["session"],
        summary: "Sign in to the web app (email + password, or a one-time link token); sets a cookie",
        body: SessionCreate,
        response: withProblems({ 201: SessionOut }),
      },
    },
    async (request, reply) => {
      const db = app.nudge.engine.db;
      const now = app.nudge.clock.nowUtcMs();
      let user: User | undefined;
      const body = request.body;
      if (body.token !== undefined) {
        const link = await db
          .selectFrom("web_login_links")
          .selectAll()
          .where("token_hash", "=", hashToken(body.token))
          .executeTakeFirst();
        if (!link || link.used_at !== null || Number(link.expires_at) <= now)
          throw new ApiProblem(401, "unauthorized", "the sign-in link is unknown, used or expired");
        const claimed = await db
          .updateTable("web_login_links")
          .set({ used_at: now })
          .where("token_hash", "=", link.token_hash)
          .where("used_at", "is", null)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1)
          throw new ApiProblem(401, "unauthorized", "the sign-in link was already used");
        user = await getUser(db, link.workspace_id, link.user_id);
      } else {
        if (body.email === undefined || body.password === undefined)
          throw new ApiProblem(422, "validation-failed", "send `token`, or `email` and `password`", [
            { field: body.email === undefined ? "email" : "password", message: "is required" },
          ]);
        const password = body.password;
        const candidates = await db
          .selectFrom("users")
          .selectAll()
          .where("email", "=", body.email.toLowerCase())
          .where("active", "=", 1)
          .orderBy("id")
          .execute();
        for (const candidate of candidates) {
          if (await verifyPassword(password, candidate.password_hash)) {
            user = candidate;
            break;
          }
        }
        // Spend the same time on an unknown email as on a wrong password.
        if (candidates.length === 0) await verifyPassword(password, `scrypt$AAAA$${"A".repeat(43)}`);
        if (!user) throw badSignIn();
      }
      if (user?.active !== 1) throw new ApiProblem(401, "unauthorized", "the user is not active");
      // Housekeeping: ended sessions and links are of no use to anyone.
      await db.deleteFrom("web_sessions").where("expires_at", "<=", now).execute();
      await db.deleteFrom("web_login_links").where("expires_at", "<=", now).execute();
      const token = newToken();
      await db
        .insertInto("web_sessions")
        .values({
          token_hash: hashToken(token),
          workspace_id: user.workspace_id,
          user_id: user.id,
          created_at: now,
          expires_at: now + SESSION_TTL_MS,
          last_seen_at: now,
        })
        .execute();
      reply.header("set-cookie", cookieHeader(token, SESSION_TTL_MS / 1000, secure));
      reply.code(201);
      return sessionOut(user, user.workspace_id, scopesOfRole(user.role));
    },
  );

  app.post(
    "/v1/session/links",
    {
      schema: {
        tags: ["session"],
        summary:
          "A one-time sign-in link for a user (admin): hand it to a teammate; it works once, for 24 hours",
        body: LinkCreate,
        response: withProblems({ 201: LinkOut }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const user = await getUser(app.nudge.engine.db, workspace.id, request.body.user_id);
      if (user?.active !== 1)
        throw new ApiProblem(422, "validation-failed", `user_id: no active user ${request.body.user_id}`, [
          { field: "user_id", message: "no active user with this id in the workspace" },
        ]);
      const link = await createLoginLink(app.nudge.engine.db, workspace.id, app.nudge.clock.nowUtcMs(), user);
      reply.code(201);
      return {
        url: `${app.nudge.publicUrl}/login#token=${link.token}`,
        user_id: user.id,
        expires_at: iso(link.expiresAt),
      };
    },
  );

  app.get(
    "/v1/session",
    {
      config: { allow: ["rep", "ingest"] },
      schema: {
        tags: ["session"],
        summary: "Who is signed in (user is null for an API key)",
        response: withProblems({ 200: SessionOut }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const userId = sessionUserId(request);
      const user = userId ? await getUser(app.nudge.engine.db, workspace.id, userId) : undefined;
      return sessionOut(user ?? null, workspace.id, request.auth?.scopes ?? []);
    },
  );

  app.delete(
    "/v1/session",
    {
      config: { public: true },
      schema: {
        tags: ["session"],
        summary: "Sign out: ends the session and clears the cookie",
        response: withProblems({ 204: z.undefined() }),
      },
    },
    async (request, reply) => {
      const token = readCookie(request.headers.cookie, SESSION_COOKIE);
      if (token) {
        await app.nudge.engine.db
          .deleteFrom("web_sessions")
          .where("token_hash", "=", hashToken(token))
          .execute();
      }
      reply.header("set-cookie", cookieHeader("", 0, secure));
      return reply.code(204).send();
    },
  );

  app.put(
    "/v1/session/password",
    {
      config: { allow: ["rep"] },
      schema: {
        tags: ["session"],
        summary: "Set the signed-in user's password (the current one is needed once one is set)",
        body: PasswordChange,
        response: withProblems({ 204: z.undefined() }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const userId = sessionUserId(request);
      if (!userId) throw new ApiProblem(409, "conflict", "sign in to the web app to set your password");
      const db = app.nudge.engine.db;
      const user = await getUser(db, workspace.id, userId);
      if (!user) throw new ApiProblem(401, "unauthorized", "the user no longer exists");
      if (
        user.password_hash !== null &&
        !(await verifyPassword(request.body.current_password ?? "", user.password_hash))
      ) {
        throw new ApiProblem(422, "validation-failed", "current_password: does not match", [
          { field: "current_password", message: "does not match" },
        ]);
      }
      await db
        .updateTable("users")
        .set({ password_hash: await hashPassword(request.body.new_password) })
        .where("id", "=", user.id)
        .execute();
      return reply.code(204).send();
    },
  );
};
