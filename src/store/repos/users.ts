// Users: the reps and managers who own contacts, get tasks and send from mailboxes.

import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import type { User } from "../schema.ts";

export async function createUser(
  db: Executor,
  workspaceId: string,
  input: {
    email: string;
    name: string;
    role?: User["role"];
    passwordHash?: string | null;
    phone?: string | null;
  },
  nowUtcMs: number,
): Promise<User> {
  const row: User = {
    id: newId("usr"),
    workspace_id: workspaceId,
    email: input.email.trim().toLowerCase(),
    name: input.name,
    role: input.role ?? "rep",
    password_hash: input.passwordHash ?? null,
    active: 1,
    phone: input.phone ?? null,
    created_at: nowUtcMs,
  };
  await db.insertInto("users").values(row).execute();
  return row;
}

export async function getUser(db: Executor, workspaceId: string, id: string): Promise<User | undefined> {
  return db
    .selectFrom("users")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function getUserByEmail(
  db: Executor,
  workspaceId: string,
  email: string,
): Promise<User | undefined> {
  return db
    .selectFrom("users")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("email", "=", email.trim().toLowerCase())
    .executeTakeFirst();
}

export async function listUsers(
  db: Executor,
  workspaceId: string,
  opts: { activeOnly?: boolean } = {},
): Promise<User[]> {
  let q = db.selectFrom("users").selectAll().where("workspace_id", "=", workspaceId);
  if (opts.activeOnly) q = q.where("active", "=", 1);
  return q.orderBy("id").execute();
}

/** Changes a user's name, role, phone or active flag; returns the updated row. */
export async function updateUser(
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<Pick<User, "name" | "role" | "phone" | "active">>,
): Promise<User | undefined> {
  if (Object.keys(patch).length > 0) {
    await db
      .updateTable("users")
      .set(patch)
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .execute();
  }
  return getUser(db, workspaceId, id);
}
