// A workspace's caps: the defaults (2 automatic emails and 1 SMS per contact in any rolling 7
// days, a per-recipient-domain hourly cap) overridden by its settings.

import { DAY_MS, DEFAULT_CAPS, HOUR_MS, type WorkspaceCaps } from "../domain/caps/rollingCap.ts";
import { workspaceSettings } from "../store/repos/workspaces.ts";
import type { Workspace } from "../store/schema.ts";

export function capsOf(workspace: Workspace): WorkspaceCaps {
  const caps = workspaceSettings(workspace).caps ?? {};
  return {
    emailsPerContact: {
      limit: caps.emailsPer7Days ?? DEFAULT_CAPS.emailsPerContact.limit,
      windowMs: 7 * DAY_MS,
    },
    smsPerContact: { limit: caps.smsPer7Days ?? DEFAULT_CAPS.smsPerContact.limit, windowMs: 7 * DAY_MS },
    perRecipientDomain: {
      limit: caps.perDomainPerHour ?? DEFAULT_CAPS.perRecipientDomain.limit,
      windowMs: HOUR_MS,
    },
    mailboxWindowMs: DEFAULT_CAPS.mailboxWindowMs,
  };
}
