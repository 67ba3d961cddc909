// Builds the merge-field context a touch renders with from the facts `decide` was given, so the
// missing-field check before a send sees exactly what the template will see.

import type { MergeContext } from "../template/index.ts";
import type { DecideFacts } from "./types.ts";

/**
 * The real unsubscribe link is signed per message by the sender; deciding whether a touch can
 * go out only needs to know that one will be there.
 */
export const UNSUBSCRIBE_PLACEHOLDER = "https://unsubscribe.invalid/u/pending";

export function mergeContextOf(
  facts: DecideFacts,
  unsubscribeUrl: string = UNSUBSCRIBE_PLACEHOLDER,
): MergeContext {
  const c = facts.contact;
  return {
    contact: {
      first_name: c.first_name,
      last_name: c.last_name,
      email: c.email,
      title: c.title,
      phone: c.phone,
      company: facts.account?.name ?? null,
      fields: c.fields,
    },
    account: facts.account
      ? {
          name: facts.account.name,
          domain: facts.account.domain,
          fields: scalarFields(facts.account.fields),
        }
      : null,
    deal: facts.deal ? { name: facts.deal.name, stage: facts.deal.stage, amount: facts.deal.amount } : null,
    sender: facts.sender
      ? {
          name: facts.sender.name,
          email: facts.sender.email,
          signature: facts.sender.signature,
          title: facts.sender.title ?? null,
        }
      : null,
    unsubscribe_url: unsubscribeUrl,
  };
}

/** Account fields come from JSON; only scalars can be merged into text. */
function scalarFields(fields: Record<string, unknown>): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (
      value === null ||
      typeof value === "string" ||
      typeof value === "number" ||
      typeof value === "boolean"
    ) {
      out[key] = value;
    }
  }
  return out;
}
