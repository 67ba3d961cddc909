// Runs the classifier over the labelled corpus of real-format messages in test/fixtures/inbound
// and holds it to per-class precision and recall, intent accuracy, and the extracted details.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Classification, InboundClass } from "../../src/domain/reply/types.ts";
import { classifyRaw } from "../../src/inbound/classifyRaw.ts";

interface Label {
  class: InboundClass;
  intent?: string;
  bounce?: { recipient?: string; status?: string; original_message_id?: string };
  return_date?: string | null;
  referral?: { name?: string; email?: string };
}

const FIXTURES = join(import.meta.dirname, "../fixtures/inbound");
const rawLabels = JSON.parse(readFileSync(join(FIXTURES, "labels.json"), "utf8")) as Record<string, unknown>;
const RECEIVED_AT_UTC_MS = Date.parse(String(rawLabels._received_at));
const labels = Object.fromEntries(
  Object.entries(rawLabels).filter(([key]) => key.endsWith(".eml")),
) as Record<string, Label>;
const CLASSES: InboundClass[] = [
  "bounce_hard",
  "bounce_soft",
  "auto_reply",
  "unsubscribe_request",
  "human_reply",
];

const results = new Map<string, Classification>();

beforeAll(async () => {
  for (const file of Object.keys(labels)) {
    const outcome = await classifyRaw(readFileSync(join(FIXTURES, file)), {
      receivedAtUtcMs: RECEIVED_AT_UTC_MS,
    });
    if (!outcome.ok) throw new Error(`${file}: ${outcome.error.message}`);
    results.set(file, outcome.classification);
  }
});

describe("labelled inbound corpus", () => {
  it("labels every fixture and holds at least 90 messages", () => {
    const files = readdirSync(FIXTURES).filter((file) => file.endsWith(".eml"));
    expect(files.sort()).toEqual(Object.keys(labels).sort());
    expect(files.length).toBeGreaterThanOrEqual(90);
  });

  it("reaches precision and recall of at least 0.9 for every class", () => {
    const table: Record<string, { support: number; precision: string; recall: string }> = {};
    const failures: string[] = [];
    for (const cls of CLASSES) {
      const truth = Object.keys(labels).filter((file) => labels[file]?.class === cls);
      const predicted = [...results].filter(([, result]) => result.class === cls).map(([file]) => file);
      const hits = predicted.filter((file) => labels[file]?.class === cls).length;
      const precision = predicted.length === 0 ? 1 : hits / predicted.length;
      const recall = truth.length === 0 ? 1 : hits / truth.length;
      table[cls] = { support: truth.length, precision: precision.toFixed(3), recall: recall.toFixed(3) };
      if (precision < 0.9 || recall < 0.9) failures.push(`${cls}: precision ${precision}, recall ${recall}`);
    }
    console.table(table);
    const misclassified = Object.keys(labels)
      .filter((file) => results.get(file)?.class !== labels[file]?.class)
      .map(
        (file) =>
          `${file}: expected ${labels[file]?.class}, got ${results.get(file)?.class} (${results.get(file)?.rule})`,
      );
    if (misclassified.length > 0) console.log(misclassified.join("\n"));
    expect(failures).toEqual([]);
  });

  it("never reads a bounce or an automatic reply as a human reply", () => {
    const machine = Object.keys(labels).filter(
      (file) => labels[file]?.class !== "human_reply" && labels[file]?.class !== "unsubscribe_request",
    );
    const leaked = machine.filter((file) => results.get(file)?.class === "human_reply");
    expect(leaked).toEqual([]);
  });

  it("reads the intent of at least 85% of human replies", () => {
    const humans = Object.keys(labels).filter((file) => labels[file]?.class === "human_reply");
    const wrong = humans.filter((file) => results.get(file)?.intent !== labels[file]?.intent);
    const accuracy = (humans.length - wrong.length) / humans.length;
    console.log(`intent accuracy ${accuracy.toFixed(3)} over ${humans.length} human replies`);
    for (const file of wrong) {
      console.log(
        `${file}: expected ${labels[file]?.intent}, got ${results.get(file)?.intent} (${results.get(file)?.rule})`,
      );
    }
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
  });

  it("extracts the bounced recipient, status and original Message-ID where labelled", () => {
    const mismatches: string[] = [];
    for (const [file, label] of Object.entries(labels)) {
      if (!label.bounce) continue;
      const bounce = results.get(file)?.bounce;
      if (label.bounce.recipient !== undefined && bounce?.recipient !== label.bounce.recipient) {
        mismatches.push(`${file} recipient: ${bounce?.recipient} ≠ ${label.bounce.recipient}`);
      }
      if (label.bounce.status !== undefined && bounce?.status !== label.bounce.status) {
        mismatches.push(`${file} status: ${bounce?.status} ≠ ${label.bounce.status}`);
      }
      if (
        label.bounce.original_message_id !== undefined &&
        bounce?.originalMessageId !== label.bounce.original_message_id
      ) {
        mismatches.push(
          `${file} original Message-ID: ${bounce?.originalMessageId} ≠ ${label.bounce.original_message_id}`,
        );
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("reads the out-of-office return date where labelled, and none where none is written", () => {
    const mismatches = Object.entries(labels)
      .filter(([, label]) => label.return_date !== undefined)
      .filter(([file, label]) => (results.get(file)?.returnDate ?? null) !== label.return_date)
      .map(([file, label]) => `${file}: ${results.get(file)?.returnDate} ≠ ${label.return_date}`);
    expect(mismatches).toEqual([]);
  });

  it("extracts the referred colleague where labelled", () => {
    const mismatches = Object.entries(labels)
      .filter(([, label]) => label.referral !== undefined)
      .filter(([file, label]) => {
        const referral = results.get(file)?.referral;
        return (
          referral?.email !== label.referral?.email ||
          (label.referral?.name !== undefined && referral?.name !== label.referral.name)
        );
      })
      .map(
        ([file, label]) =>
          `${file}: ${JSON.stringify(results.get(file)?.referral)} ≠ ${JSON.stringify(label.referral)}`,
      );
    expect(mismatches).toEqual([]);
  });

  it("says which rule decided, for every message", () => {
    for (const [file, result] of results) {
      expect(result.rule, file).not.toBe("");
      expect(result.confidence, file).toBeGreaterThan(0);
      expect(result.confidence, file).toBeLessThanOrEqual(1);
    }
  });
});
