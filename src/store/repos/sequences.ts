// Sequences and their immutable versions. Saving a definition makes a new version; running
// enrollments stay on the version they started on.

import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import type { SequenceRow, SequenceVersionRow } from "../schema.ts";

export async function saveSequenceVersion(
  db: Executor,
  workspaceId: string,
  input: { key: string; name: string; definitionJson: string; sourceText: string; createdBy?: string | null },
  nowUtcMs: number,
): Promise<{ sequence: SequenceRow; version: SequenceVersionRow; created: boolean }> {
  const existing = await getSequenceByKey(db, workspaceId, input.key);
  if (existing) {
    const latest = await getSequenceVersion(db, existing.id, existing.current_version);
    // Saving the same definition again is not a new version.
    if (latest && latest.definition_json === input.definitionJson) {
      return { sequence: existing, version: latest, created: false };
    }
    const version = await insertVersion(db, existing.id, existing.current_version + 1, input, nowUtcMs);
    await db
      .updateTable("sequences")
      .set({ current_version: version.version, name: input.name, updated_at: nowUtcMs })
      .where("id", "=", existing.id)
      .execute();
    return {
      sequence: { ...existing, current_version: version.version, name: input.name, updated_at: nowUtcMs },
      version,
      created: false,
    };
  }
  const sequence: SequenceRow = {
    id: newId("seq"),
    workspace_id: workspaceId,
    key: input.key,
    name: input.name,
    status: "draft",
    current_version: 1,
    created_at: nowUtcMs,
    updated_at: nowUtcMs,
  };
  await db.insertInto("sequences").values(sequence).execute();
  const version = await insertVersion(db, sequence.id, 1, input, nowUtcMs);
  return { sequence, version, created: true };
}

async function insertVersion(
  db: Executor,
  sequenceId: string,
  version: number,
  input: { definitionJson: string; sourceText: string; createdBy?: string | null },
  nowUtcMs: number,
): Promise<SequenceVersionRow> {
  const row: SequenceVersionRow = {
    id: newId("sqv"),
    sequence_id: sequenceId,
    version,
    definition_json: input.definitionJson,
    source_text: input.sourceText,
    created_by: input.createdBy ?? null,
    created_at: nowUtcMs,
  };
  await db.insertInto("sequence_versions").values(row).execute();
  return row;
}

export async function getSequence(
  db: Executor,
  workspaceId: string,
  id: string,
): Promise<SequenceRow | undefined> {
  return db
    .selectFrom("sequences")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function getSequenceByKey(
  db: Executor,
  workspaceId: string,
  key: string,
): Promise<SequenceRow | undefined> {
  return db
    .selectFrom("sequences")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("key", "=", key)
    .executeTakeFirst();
}

/** By id or by the definition's key, whichever the caller has. */
export async function findSequence(
  db: Executor,
  workspaceId: string,
  idOrKey: string,
): Promise<SequenceRow | undefined> {
  return (await getSequence(db, workspaceId, idOrKey)) ?? (await getSequenceByKey(db, workspaceId, idOrKey));
}

export async function getSequenceVersion(
  db: Executor,
  sequenceId: string,
  version: number,
): Promise<SequenceVersionRow | undefined> {
  return db
    .selectFrom("sequence_versions")
    .selectAll()
    .where("sequence_id", "=", sequenceId)
    .where("version", "=", version)
    .executeTakeFirst();
}

export async function getSequenceVersionById(
  db: Executor,
  id: string,
): Promise<SequenceVersionRow | undefined> {
  return db.selectFrom("sequence_versions").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function listSequenceVersions(db: Executor, sequenceId: string): Promise<SequenceVersionRow[]> {
  return db
    .selectFrom("sequence_versions")
    .selectAll()
    .where("sequence_id", "=", sequenceId)
    .orderBy("version", "desc")
    .execute();
}

export async function listSequences(
  db: Executor,
  workspaceId: string,
  opts: { status?: SequenceRow["status"]; includeArchived?: boolean } = {},
): Promise<SequenceRow[]> {
  let q = db.selectFrom("sequences").selectAll().where("workspace_id", "=", workspaceId);
  if (opts.status) q = q.where("status", "=", opts.status);
  else if (!opts.includeArchived) q = q.where("status", "!=", "archived");
  return q.orderBy("id").execute();
}

export async function setSequenceStatus(
  db: Executor,
  workspaceId: string,
  id: string,
  status: SequenceRow["status"],
  nowUtcMs: number,
): Promise<void> {
  await db
    .updateTable("sequences")
    .set({ status, updated_at: nowUtcMs })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .execute();
}
