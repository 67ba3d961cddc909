// Rolling-window caps ("at most N in any 7 days", "N per mailbox per 24 hours"): given when the
// earlier sends happened, the earliest instant the next one may go out.

export interface RollingCap {
  limit: number;
  windowMs: number;
}

/**
 * Returns `atUtcMs` when a send then keeps every window within the limit, otherwise the first
 * later instant when enough earlier sends have aged out of the window.
 */
export function earliestAllowedSend(
  sentAtUtcMs: readonly number[],
  cap: RollingCap,
  atUtcMs: number,
): number {
  if (cap.limit <= 0) return Number.POSITIVE_INFINITY;
  const inWindow = sentAtUtcMs
    .filter((t) => t > atUtcMs - cap.windowMs && t <= atUtcMs)
    .sort((a, b) => a - b);
  if (inWindow.length < cap.limit) return atUtcMs;
  // The oldest sends must leave the window until only limit-1 remain inside it.
  const mustExpire = inWindow[inWindow.length - cap.limit];
  return (mustExpire ?? atUtcMs) + cap.windowMs;
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

export interface WorkspaceCaps {
  emailsPerContact: RollingCap;
  smsPerContact: RollingCap;
  perRecipientDomain: RollingCap;
  mailboxWindowMs: number;
}

export const DEFAULT_CAPS: WorkspaceCaps = {
  emailsPerContact: { limit: 2, windowMs: 7 * DAY_MS },
  smsPerContact: { limit: 1, windowMs: 7 * DAY_MS },
  perRecipientDomain: { limit: 30, windowMs: HOUR_MS },
  mailboxWindowMs: DAY_MS,
};

/**
 * Pacing for a mailbox's daily limit: the gap between two sends so the day's allowance is
 * spread over the sending hours instead of leaving in a burst when the window opens.
 */
export function pacingGapMs(dailyLimit: number, sendingMinutesPerDay: number): number {
  if (dailyLimit <= 0) return Number.POSITIVE_INFINITY;
  return Math.floor((sendingMinutesPerDay * 60_000) / dailyLimit);
}
