// `nudge simulate FILE`: every path a sequence can take for one contact, with the local time,
// step, channel and rendered subject of each touch, so a sequence can be checked before it runs.

import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { DateTime, IANAZone } from "luxon";
import { formatDefinitionError, parseSequence } from "../../domain/sequence/parseSequence.ts";
import {
  DEFAULT_MAX_PATHS,
  DEFAULT_SIMULATION_CONTACT,
  type SimulatedTouch,
  type SimulationResult,
  simulate,
} from "../../domain/simulate/simulate.ts";
import { formatLocal } from "../../domain/time/index.ts";
import { type Clock, systemClock } from "../../engine/clock.ts";
import { printJson } from "../support/context.ts";
import { UserError } from "../userError.ts";

interface SimulateFlags {
  contact: string[];
  start?: string;
  zone: string;
  json?: boolean;
  maxPaths: string;
}

export function registerSimulate(program: Command, clock: Clock = systemClock): void {
  program
    .command("simulate")
    .description("walk every path of a sequence for one contact (no database needed)")
    .argument("<file>", "sequence file (YAML or JSON)")
    .option(
      "--contact <key=value>",
      "contact field (repeatable): first_name, last_name, email, title, phone, time_zone, company, tags, fields.x, deal.stage…; an empty value removes it",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      "--start <iso>",
      "when the contact enrolls (default: now); without an offset, in the contact's zone",
    )
    .option("--zone <iana>", "the workspace's time zone, for contacts without one", "UTC")
    .option("--max-paths <n>", "stop after this many paths", String(DEFAULT_MAX_PATHS))
    .option("--json", "print JSON")
    .action((file: string, flags: SimulateFlags) => {
      const zone = checkZone(flags.zone);
      const contact = contactValues(flags.contact);
      const contactZone = contact.time_zone ? checkZone(contact.time_zone) : zone;
      const startUtcMs = flags.start === undefined ? clock.nowUtcMs() : parseStart(flags.start, contactZone);
      const maxPaths = Number(flags.maxPaths);
      if (!Number.isInteger(maxPaths) || maxPaths < 1)
        throw new UserError(`--max-paths must be a positive integer, not "${flags.maxPaths}"`);

      const parsed = parseSequence(readSequenceFile(file), file);
      if (!parsed.ok) {
        for (const error of parsed.errors) process.stderr.write(`${formatDefinitionError(error)}\n`);
        process.exitCode = 1;
        return;
      }
      const result = simulate(parsed.definition, { contact, startUtcMs, workspaceZone: zone, maxPaths });
      if (flags.json) printJson(jsonOf(result));
      else process.stdout.write(humanOf(result, contactZone));
      if (result.truncated) {
        process.stderr.write(
          `nudge: showing the first ${result.paths.length} paths; there are more (raise --max-paths)\n`,
        );
      }
    });
}

/** The defaults, overridden pair by pair; `key=` keeps the key with no value so it stays absent. */
export function contactValues(pairs: readonly string[]): Record<string, string> {
  const values: Record<string, string> = { ...DEFAULT_SIMULATION_CONTACT };
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UserError(`--contact expects key=value, got "${pair}"`);
    values[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return values;
}

function checkZone(zone: string): string {
  if (!IANAZone.isValidZone(zone))
    throw new UserError(`unknown time zone "${zone}" (use an IANA name such as America/New_York)`);
  return zone;
}

function parseStart(text: string, zone: string): number {
  const parsed = DateTime.fromISO(text, { zone, setZone: true });
  if (!parsed.isValid)
    throw new UserError(`--start "${text}" is not an ISO date-time such as 2026-12-01T09:00`);
  return parsed.toMillis();
}

function readSequenceFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UserError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

function jsonOf(result: SimulationResult) {
  return {
    paths: result.paths.map((p) => ({
      name: p.name,
      outcome: p.outcome,
      touches: p.touches.map(({ atUtcMs: _, ...shown }) => shown),
    })),
  };
}

function humanOf(result: SimulationResult, zone: string): string {
  const blocks = result.paths.map((p) =>
    [p.name, ...p.touches.map((t) => `  ${touchLine(t, zone)}`), `  → ${p.outcome}`].join("\n"),
  );
  return `${blocks.join("\n\n")}\n`;
}

function touchLine(touch: SimulatedTouch, zone: string): string {
  const what =
    touch.held !== undefined
      ? `held: ${touch.held}`
      : touch.subject !== undefined
        ? JSON.stringify(touch.subject)
        : oneLine(touch.note ?? "");
  return [formatLocal(touch.atUtcMs, zone), touch.step, touch.channel, what]
    .filter((s) => s !== "")
    .join("  ");
}

/** Task notes run to paragraphs; a path listing shows the start of one (--json has all of it). */
const NOTE_CHARS = 100;

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= NOTE_CHARS ? flat : `${flat.slice(0, NOTE_CHARS - 1).trimEnd()}…`;
}
