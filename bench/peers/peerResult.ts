// What every peer reports, the same figures the engine's drain reports: how fast `due`
// first touches (all due at one instant, among `stored` later ones) went out, and how late.

import { type LatencySummary, round, summarize } from "../lib/stats.ts";

export interface PeerResult {
  peer: string;
  configuration: string;
  stored: number;
  due: number;
  done: number;
  seconds: number;
  touchesPerSecond: number;
  lateness: LatencySummary;
}

export interface PeerOptions {
  stored: number;
  due: number;
  timeoutMs: number;
}

/** A contact's three touches: step 1 due now, then 2 and 3 two days after the previous send. */
export interface TouchJob {
  contact: string;
  step: number;
  dueAt: number;
}

export const NEXT_STEP_WAIT_MS = 2 * 86_400_000;
export const STORED_DUE_IN_MS = 30 * 86_400_000;

export function peerResult(
  peer: string,
  configuration: string,
  opts: PeerOptions,
  sends: Array<{ dueAt: number; sentAt: number }>,
): PeerResult {
  const lateness = sends.map((s) => s.sentAt - s.dueAt);
  const seconds = Math.max(...lateness, 1) / 1000;
  return {
    peer,
    configuration,
    stored: opts.stored,
    due: opts.due,
    done: sends.length,
    seconds: round(seconds, 2),
    touchesPerSecond: round(sends.length / seconds, 0),
    lateness: summarize(lateness),
  };
}
