// `nudge validate FILE…`: checks sequence files without a database, printing each problem on
// one compiler-style line (or JSON for editors and CI) and failing when any file has an error.

import { readFileSync } from "node:fs";
import type { Command } from "commander";
import {
  type DefinitionError,
  type DefinitionWarning,
  formatDefinitionError,
  formatDefinitionWarning,
  parseSequence,
} from "../../domain/sequence/parseSequence.ts";
import { type SmsStepSegments, smsStepSegments } from "../../domain/sms/stepSegments.ts";
import { printJson } from "../support/context.ts";

export interface FileVerdict {
  file: string;
  ok: boolean;
  errors: DefinitionError[];
  warnings: DefinitionWarning[];
  /** Each sms step's segments and encoding (valid files only). */
  sms?: SmsStepSegments[];
}

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check sequence files (YAML or JSON) without loading them")
    .argument("<files...>", "sequence files")
    .option("--json", "print JSON: { files: [{ file, ok, errors, warnings }] }")
    .action((files: string[], opts: { json?: boolean }) => {
      const verdicts = files.map(validateFile);
      if (opts.json) printJson({ files: verdicts });
      else for (const verdict of verdicts) printVerdict(verdict);
      if (verdicts.some((v) => !v.ok)) process.exitCode = 1;
    });
}

export function validateFile(file: string): FileVerdict {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    return {
      file,
      ok: false,
      errors: [{ file, line: 0, column: 0, path: "", message: `cannot read the file (${code})` }],
      warnings: [],
    };
  }
  const parsed = parseSequence(text, file);
  return parsed.ok
    ? { file, ok: true, errors: [], warnings: parsed.warnings, sms: smsStepSegments(parsed.definition) }
    : { file, ok: false, errors: parsed.errors, warnings: parsed.warnings };
}

function printVerdict(verdict: FileVerdict): void {
  if (verdict.ok) process.stdout.write(`${verdict.file}: ok\n`);
  for (const warning of verdict.warnings) process.stdout.write(`${formatDefinitionWarning(warning)}\n`);
  for (const error of verdict.errors) process.stderr.write(`${formatDefinitionError(error)}\n`);
}
