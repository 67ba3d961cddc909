// Sequence versions are immutable, so a parsed definition can be kept for the life of the
// process, keyed by version id. Definitions were validated when they were saved.

import type { SequenceDefinition } from "../domain/sequence/definition.ts";
import type { Executor } from "../store/executor.ts";
import { getSequenceVersionById } from "../store/repos/sequences.ts";

const MAX_ENTRIES = 2_000;
const cache = new Map<string, SequenceDefinition>();

export async function loadDefinition(db: Executor, sequenceVersionId: string): Promise<SequenceDefinition> {
  const hit = cache.get(sequenceVersionId);
  if (hit) return hit;
  const row = await getSequenceVersionById(db, sequenceVersionId);
  if (!row) throw new Error(`sequence version ${sequenceVersionId} does not exist`);
  const definition = JSON.parse(row.definition_json) as SequenceDefinition;
  if (cache.size >= MAX_ENTRIES) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(sequenceVersionId, definition);
  return definition;
}
