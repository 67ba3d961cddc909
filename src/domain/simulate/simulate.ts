// Walks every path a sequence can take for one contact (no response, each branch outcome, an
// event or a timeout at each wait_for, each always-on exit at each wait, an out-of-office pause,
// a hold), by replaying the real state machine with each combination of choices.

import type { SequenceDefinition } from "../sequence/definition.ts";
import { runPath, type SimulatedPath } from "./runPath.ts";
import { simulationFacts } from "./simulatedFacts.ts";

export type { SimulatedPath, SimulatedTouch } from "./runPath.ts";
export { DEFAULT_SIMULATION_CONTACT } from "./simulatedFacts.ts";

export interface SimulateOptions {
  /** The contact as `key=value` pairs (see simulationFacts); an empty value means absent. */
  contact: Readonly<Record<string, string>>;
  startUtcMs: number;
  workspaceZone: string;
  /** Stop after this many distinct paths (default 100). */
  maxPaths?: number;
}

export interface SimulationResult {
  paths: SimulatedPath[];
  /** True when more paths existed than `maxPaths` allowed. */
  truncated: boolean;
}

export const DEFAULT_MAX_PATHS = 100;

/**
 * Breadth-first over choice scripts: a script is the alternative picked at each choice point in
 * the order they are met (0 = nothing unusual happens). Running a script reports the choice
 * points it met; every alternative at a point past the script's end becomes a new script, so
 * each path is run exactly once and paths that diverge early come first.
 */
export function simulate(def: SequenceDefinition, opts: SimulateOptions): SimulationResult {
  const maxPaths = Math.max(1, opts.maxPaths ?? DEFAULT_MAX_PATHS);
  const facts = simulationFacts(opts.contact, opts.workspaceZone);
  const world = {
    facts,
    startUtcMs: opts.startUtcMs,
    contactZone: facts.contact.time_zone ?? opts.workspaceZone,
  };
  const queue: number[][] = [[]];
  const seen = new Set<string>();
  const paths: SimulatedPath[] = [];
  while (queue.length > 0 && paths.length < maxPaths) {
    const script = queue.shift() as number[];
    const run = runPath(def, world, script);
    for (let point = script.length; point < run.choiceCounts.length; point++) {
      const count = run.choiceCounts[point] ?? 1;
      const prefix = [...script, ...new Array<number>(point - script.length).fill(0)];
      for (let alternative = 1; alternative < count; alternative++) queue.push([...prefix, alternative]);
    }
    // Different choices can end up doing the same thing (a branch whose outcomes share a target).
    if (seen.has(run.signature)) continue;
    seen.add(run.signature);
    paths.push(run.path);
  }
  return { paths, truncated: queue.length > 0 };
}
