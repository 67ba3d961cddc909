// Saves a sequence definition from YAML/JSON text: parse and validate, then store a new
// version (an unchanged definition is not a new version). Shared by the CLI and the seeding.

import type { DefinitionError, DefinitionWarning } from "../domain/sequence/parseSequence.ts";
import { parseSequence } from "../domain/sequence/parseSequence.ts";
import type { Executor } from "../store/executor.ts";
import { appendAudit } from "../store/repos/auditLog.ts";
import { saveSequenceVersion } from "../store/repos/sequences.ts";
import type { SequenceRow, SequenceVersionRow } from "../store/schema.ts";

export type SaveSequenceResult =
  | {
      ok: true;
      sequence: SequenceRow;
      version: SequenceVersionRow;
      created: boolean;
      warnings: DefinitionWarning[];
    }
  | { ok: false; errors: DefinitionError[]; warnings: DefinitionWarning[] };

export async function saveSequenceFromText(
  db: Executor,
  workspaceId: string,
  text: string,
  file: string,
  nowUtcMs: number,
  actor = "cli",
): Promise<SaveSequenceResult> {
  const parsed = parseSequence(text, file);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, warnings: parsed.warnings };
  const def = parsed.definition;
  const saved = await saveSequenceVersion(
    db,
    workspaceId,
    { key: def.id, name: def.name, definitionJson: JSON.stringify(def), sourceText: text, createdBy: actor },
    nowUtcMs,
  );
  await appendAudit(
    db,
    {
      workspaceId,
      actor,
      action: "sequence.saved",
      targetType: "sequence",
      targetId: saved.sequence.id,
      data: { version: saved.version.version },
    },
    nowUtcMs,
  );
  return { ok: true, ...saved, warnings: parsed.warnings };
}
