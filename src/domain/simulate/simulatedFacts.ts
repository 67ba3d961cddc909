// The pretend world a simulation runs in: a contact (and their company, deal and sender) built
// from `key=value` pairs, and the small edits a simulated path makes to it.

import type { ContactFacts, DecideFacts } from "../enrollment/types.ts";

/** The contact `nudge simulate` uses unless told otherwise; `--contact key=` removes a field. */
export const DEFAULT_SIMULATION_CONTACT: Readonly<Record<string, string>> = {
  first_name: "Ada",
  last_name: "Lovelace",
  email: "ada@example.com",
  title: "VP Sales",
  time_zone: "America/New_York",
  company: "Example Corp",
};

/** Who the touches come from; `sender.name=…` style keys override it. */
const DEFAULT_SENDER = {
  name: "Sam Rivera",
  email: "sam@nudge.example",
  signature: "Sam Rivera, Account Executive",
  title: "Account Executive",
};

const CONTACT_ATTRIBUTES = [
  "email",
  "first_name",
  "last_name",
  "title",
  "phone",
  "time_zone",
  "lifecycle_stage",
] as const;
type ContactAttribute = (typeof CONTACT_ATTRIBUTES)[number];

function isContactAttribute(key: string): key is ContactAttribute {
  return (CONTACT_ATTRIBUTES as readonly string[]).includes(key);
}

/**
 * Keys: contact attributes (`first_name`, `email`…), `company`, `tags` (comma-separated),
 * `fields.x` or any other name (custom fields), `account.name|domain|fields.x`,
 * `deal.name|stage|amount`, `sender.name|email|signature|title`. An empty value means absent.
 */
export function simulationFacts(
  values: Readonly<Record<string, string>>,
  workspaceZone: string,
): DecideFacts {
  const contact: ContactFacts = {
    id: "ct_simulated",
    email: null,
    first_name: null,
    last_name: null,
    title: null,
    phone: null,
    time_zone: null,
    lifecycle_stage: null,
    tags: [],
    fields: {},
  };
  const account = {
    name: null as string | null,
    domain: null as string | null,
    fields: {} as Record<string, unknown>,
  };
  let deal: DecideFacts["deal"] = null;
  const sender: NonNullable<DecideFacts["sender"]> = { ...DEFAULT_SENDER };
  for (const [key, raw] of Object.entries(values)) {
    const value = raw === "" ? null : raw;
    if (isContactAttribute(key)) contact[key] = value;
    else if (key === "tags")
      contact.tags =
        value === null
          ? []
          : value
              .split(",")
              .map((t) => t.trim())
              .filter(Boolean);
    else if (key === "company" || key === "account.name") account.name = value;
    else if (key === "account.domain") account.domain = value;
    else if (key.startsWith("account.fields."))
      setOrDelete(account.fields, key.slice("account.fields.".length), value);
    else if (key.startsWith("deal.")) deal = withDealValue(deal, key.slice("deal.".length), value);
    else if (key.startsWith("sender.")) setSender(sender, key.slice("sender.".length), value);
    else setOrDelete(contact.fields, key.startsWith("fields.") ? key.slice("fields.".length) : key, value);
  }
  if (account.domain === null && contact.email?.includes("@"))
    account.domain = contact.email.split("@")[1] ?? null;
  const hasAccount =
    account.name !== null || account.domain !== null || Object.keys(account.fields).length > 0;
  return {
    contact,
    account: hasAccount ? account : null,
    deal,
    sender,
    events: [],
    workspaceZone,
  };
}

function setOrDelete(target: Record<string, unknown>, key: string, value: string | null): void {
  if (value === null) delete target[key];
  else target[key] = value;
}

function withDealValue(deal: DecideFacts["deal"], key: string, value: string | null): DecideFacts["deal"] {
  const base = deal ?? { name: null, stage: null, amount: null };
  if (key === "name") return { ...base, name: value };
  if (key === "stage") return { ...base, stage: value };
  if (key === "amount") return { ...base, amount: value === null ? null : Number(value) };
  return base;
}

function setSender(sender: NonNullable<DecideFacts["sender"]>, key: string, value: string | null): void {
  if (key === "name" || key === "email" || key === "signature" || key === "title") sender[key] = value;
}

/** Writes a value where `fieldValue` (enrollment/conditions.ts) reads it; null removes it. */
export function withFieldValue(facts: DecideFacts, path: string, value: unknown): DecideFacts {
  const bare = path.startsWith("contact.") ? path.slice("contact.".length) : path;
  const contact: ContactFacts = { ...facts.contact, fields: { ...facts.contact.fields } };
  const scalar = toScalar(value);
  if (bare === "tags") {
    contact.tags = Array.isArray(value) ? value.map(String) : scalar === null ? [] : [String(scalar)];
  } else if (bare === "company" || bare === "account.name") {
    return { ...facts, account: { ...accountOf(facts), name: scalar === null ? null : String(scalar) } };
  } else if (bare === "account.domain") {
    return { ...facts, account: { ...accountOf(facts), domain: scalar === null ? null : String(scalar) } };
  } else if (bare.startsWith("account.fields.")) {
    const account = accountOf(facts);
    const fields = { ...account.fields };
    setOrDelete(fields, bare.slice("account.fields.".length), scalar === null ? null : String(scalar));
    return { ...facts, account: { ...account, fields } };
  } else if (bare.startsWith("deal.")) {
    return {
      ...facts,
      deal: withDealValue(facts.deal, bare.slice("deal.".length), scalar === null ? null : String(scalar)),
    };
  } else if (isContactAttribute(bare)) {
    contact[bare] = scalar === null ? null : String(scalar);
  } else {
    const key = bare.startsWith("fields.") ? bare.slice("fields.".length) : bare;
    if (scalar === null) delete contact.fields[key];
    else contact.fields[key] = scalar;
  }
  return { ...facts, contact };
}

function accountOf(facts: DecideFacts): NonNullable<DecideFacts["account"]> {
  return facts.account ?? { name: null, domain: null, fields: {} };
}

function toScalar(value: unknown): string | number | boolean | null {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return null;
}
