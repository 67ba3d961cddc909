// The values a template may merge, as the engine hands them over, and the scope Liquid renders
// against. Blank values become null in the scope so `default` and `{% if %}` treat them as absent.

/** A custom field's value as the CRM stores it. */
export type CustomFieldValue = string | number | boolean | null;
export type CustomFields = Record<string, CustomFieldValue>;

export interface ContactFields {
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  title?: string | null;
  phone?: string | null;
  /** The company name; when absent, `contact.company` falls back to `account.name`. */
  company?: string | null;
  fields?: CustomFields;
}

export interface AccountFields {
  name?: string | null;
  domain?: string | null;
  fields?: CustomFields;
}

export interface DealFields {
  name?: string | null;
  stage?: string | null;
  amount?: number | string | null;
}

/** The rep (mailbox owner) a touch goes out as. */
export interface SenderFields {
  name?: string | null;
  email?: string | null;
  /** Plain text; its line breaks are kept as line breaks in the HTML part. */
  signature?: string | null;
  title?: string | null;
}

export interface MergeContext {
  contact: ContactFields;
  account?: AccountFields | null;
  deal?: DealFields | null;
  sender?: SenderFields | null;
  /** Always provided by the sender for email; templates reference it as `{{ unsubscribe_url }}`. */
  unsubscribe_url?: string | null;
}

/** A value inside the render scope: what a template path can resolve to. */
export type ScopeValue = string | number | boolean | null | ScopeObject;
export interface ScopeObject {
  [key: string]: ScopeValue;
}

/**
 * Builds the object Liquid renders against. Strings are trimmed and blank strings become null:
 * CRM data is full of "Ann " and "  ", and a greeting must neither render "Hi Ann ," nor treat a
 * space as a name. Numbers that are not finite are dropped for the same reason.
 */
export function mergeScope(ctx: MergeContext): ScopeObject {
  const { contact, account, deal, sender } = ctx;
  const accountName = scalar(account?.name);
  return {
    contact: {
      first_name: scalar(contact.first_name),
      last_name: scalar(contact.last_name),
      email: scalar(contact.email),
      title: scalar(contact.title),
      phone: scalar(contact.phone),
      company: scalar(contact.company) ?? accountName,
      fields: customFields(contact.fields),
    },
    account: account
      ? { name: accountName, domain: scalar(account.domain), fields: customFields(account.fields) }
      : null,
    deal: deal ? { name: scalar(deal.name), stage: scalar(deal.stage), amount: scalar(deal.amount) } : null,
    sender: sender
      ? {
          name: scalar(sender.name),
          email: scalar(sender.email),
          signature: scalar(sender.signature),
          title: scalar(sender.title),
        }
      : null,
    unsubscribe_url: scalar(ctx.unsubscribe_url),
  };
}

/** Whether a resolved value counts as "no value" for holding a touch. */
export function isBlankValue(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

function scalar(value: CustomFieldValue | undefined): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") {
    const trimmed = value.trim();
    return trimmed === "" ? null : trimmed;
  }
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  return value;
}

function customFields(fields: CustomFields | undefined): ScopeObject {
  const out: ScopeObject = {};
  for (const [name, value] of Object.entries(fields ?? {})) out[name] = scalar(value);
  return out;
}
