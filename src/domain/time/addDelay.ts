// The raw due instant of a wait: how long after a step the next one is due, before any sending window.

import type { Delay, ResolvedSchedule } from "../sequence/definition.ts";
import { addSendingDays } from "./businessDays.ts";
import { instantOfLocal, localDayOf, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, wallMsOf } from "./localTime.ts";

/**
 * Minutes and hours are elapsed time. Days keep the local time of day (09:00 stays 09:00 across DST;
 * a time the target day skips becomes the end of the gap): calendar days count dates, business days
 * count sending days. The next business morning is the first sending day after today's local date.
 * Automatic touches then go through `nextSendingTime`.
 */
export function addDelay(fromUtcMs: number, delay: Delay, s: ResolvedSchedule): number {
  switch (delay.kind) {
    case "none":
      return fromUtcMs;
    case "minutes":
      return fromUtcMs + delay.minutes * MS_PER_MINUTE;
    case "hours":
      return fromUtcMs + delay.hours * MS_PER_HOUR;
    case "days": {
      if (delay.days <= 0) return fromUtcMs;
      const wallMs = wallMsOf(fromUtcMs, s.zone);
      const day = Math.floor(wallMs / MS_PER_DAY);
      const target = delay.business ? addSendingDays(day, delay.days, s) : day + delay.days;
      return instantOfLocal(s.zone, target, wallMs - day * MS_PER_DAY);
    }
    case "next_business_morning": {
      const target = addSendingDays(localDayOf(fromUtcMs, s.zone), 1, s);
      return instantOfLocal(s.zone, target, delay.atMinute * MS_PER_MINUTE);
    }
    default: {
      const unhandled: never = delay;
      throw new Error(`unhandled delay ${JSON.stringify(unhandled)}`);
    }
  }
}
