// Time enters the system here and nowhere else. Live workspaces run on the system clock; a
// sandbox workspace with a test clock runs on its own frozen time, moved only by an advance.

export interface Clock {
  nowUtcMs(): number;
}

export const systemClock: Clock = { nowUtcMs: () => Date.now() };

/** A clock a test sets by hand. */
export class ManualClock implements Clock {
  constructor(private atUtcMs: number) {}
  nowUtcMs(): number {
    return this.atUtcMs;
  }
  set(atUtcMs: number): void {
    this.atUtcMs = atUtcMs;
  }
  advance(ms: number): void {
    this.atUtcMs += ms;
  }
}

/** The time a workspace lives at: its test clock when one is set, else the system clock. */
export function workspaceNow(workspace: { clock_at: number | null }, clock: Clock): number {
  return workspace.clock_at ?? clock.nowUtcMs();
}
