// Builders for sequence-language tests: a small valid file around the steps under test, and
// the parse result flattened to the one-line form the CLI prints.

import {
  type DefinitionError,
  formatDefinitionError,
  type ParseSequenceResult,
  parseSequence,
} from "../../../src/domain/sequence/parseSequence.ts";

/** An email body long enough (and different enough) to draw no copy warnings. */
export const BODY = "Hi {{ contact.first_name | default: 'there' }}, a short note.";

/**
 * A file with `steps` (YAML lines indented by two spaces under `steps:`) and optional top-level
 * keys before them. Click and open tracking are on so conditions on them are allowed.
 */
export function sequenceText(steps: string, top = ""): string {
  return `id: test-seq\nname: Test\ntracking: { opens: true, clicks: true }\n${top}steps:\n${steps}`;
}

export function parse(text: string, file = "test.yaml"): ParseSequenceResult {
  return parseSequence(text, file);
}

export function errorLines(result: ParseSequenceResult): string[] {
  return result.ok ? [] : result.errors.map(formatDefinitionError);
}

export function errorsOf(text: string): DefinitionError[] {
  const result = parse(text);
  return result.ok ? [] : result.errors;
}

/** The definition, failing the test with the errors when there are any. */
export function definitionOf(text: string) {
  const result = parse(text);
  if (!result.ok) throw new Error(`expected the sequence to parse:\n${errorLines(result).join("\n")}`);
  return result.definition;
}
