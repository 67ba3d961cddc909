// Who gets a rep task: the contact's owner, else the active rep with the fewest open tasks
// (a fair round-robin that needs no counter to keep in sync).

import type { Executor } from "../store/executor.ts";
import type { Contact } from "../store/repos/contacts.ts";

export async function assigneeFor(
  db: Executor,
  workspaceId: string,
  contact: Contact,
): Promise<string | null> {
  if (contact.ownerId) {
    // An owner who left (deactivated) does not get new work; the team does.
    const owner = await db
      .selectFrom("users")
      .select("active")
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", contact.ownerId)
      .executeTakeFirst();
    if (owner?.active === 1) return contact.ownerId;
  }
  const reps = await db
    .selectFrom("users")
    .leftJoin("tasks", (join) =>
      join.onRef("tasks.assignee_id", "=", "users.id").on("tasks.status", "=", "open"),
    )
    .select(["users.id", (eb) => eb.fn.count<number>("tasks.id").as("open_tasks")])
    .where("users.workspace_id", "=", workspaceId)
    .where("users.active", "=", 1)
    .where("users.role", "in", ["rep", "manager", "admin"])
    .groupBy("users.id")
    .orderBy("open_tasks")
    .orderBy("users.id")
    .execute();
  return reps[0]?.id ?? null;
}
