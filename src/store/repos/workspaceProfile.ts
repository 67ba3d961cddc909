// A workspace's name and time zone (workspaces.ts holds its mode, clock and settings).

import type { Executor } from "../executor.ts";

export async function setWorkspaceProfile(
  db: Executor,
  id: string,
  profile: { name?: string; timeZone?: string },
): Promise<void> {
  const set: { name?: string; time_zone?: string } = {};
  if (profile.name !== undefined) set.name = profile.name;
  if (profile.timeZone !== undefined) set.time_zone = profile.timeZone;
  if (Object.keys(set).length === 0) return;
  await db.updateTable("workspaces").set(set).where("id", "=", id).execute();
}
