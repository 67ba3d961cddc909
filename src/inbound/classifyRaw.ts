// Raw message in, verdict out: the one path the pipeline, the API dry-run and the CLI all take,
// so a message is classified the same way wherever it enters.

import { rulesClassifier } from "../domain/reply/classify.ts";
import type { Classification, Classifier, ClassifyOptions, ParsedInbound } from "../domain/reply/types.ts";
import { type InboundParseError, type ParseInboundOptions, parseInbound } from "./parseInbound.ts";

export type ClassifyRawResult =
  | { ok: true; classification: Classification; message: ParsedInbound; warnings: string[] }
  | { ok: false; error: InboundParseError };

export interface ClassifyRawOptions extends ClassifyOptions, ParseInboundOptions {
  /** Defaults to the rules; pass another Classifier (a language model, a test double) to swap it. */
  classifier?: Classifier;
}

export async function classifyRaw(
  raw: Uint8Array | string,
  options: ClassifyRawOptions,
): Promise<ClassifyRawResult> {
  const parsed = await parseInbound(
    raw,
    options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes },
  );
  if (!parsed.ok) return parsed;
  const classifier = options.classifier ?? rulesClassifier;
  const classifyOptions: ClassifyOptions = { receivedAtUtcMs: options.receivedAtUtcMs };
  if (options.defaultZone !== undefined) classifyOptions.defaultZone = options.defaultZone;
  const classification = await classifier.classify(parsed.message, classifyOptions);
  return { ok: true, classification, message: parsed.message, warnings: parsed.warnings };
}
