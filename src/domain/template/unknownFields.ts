// Finds merge fields outside the catalogue (a typo, a field the CRM does not have) so the
// sequence validator can reject them before a single contact is enrolled, with a suggestion.

import { MERGE_NAMESPACES, mergeNamespace, ROOT_FIELDS } from "./mergeFields.ts";
import { analyseTemplate, type FieldRef, formatPath } from "./templateFields.ts";

export interface UnknownField {
  path: string;
  message: string;
  hint?: string;
}

/**
 * Paths in `source` that no contact will ever have, once each, in source order.
 * `contact.fields.<anything>` and `account.fields.<anything>` are always allowed: custom fields
 * differ per CRM. A template that does not parse has no fields to judge; its syntax error is
 * `templateFields`' to report.
 */
export function unknownFields(source: string): UnknownField[] {
  const analysis = analyseTemplate(source);
  if (!analysis.ok) return [];
  const seen = new Set<string>();
  const out: UnknownField[] = [];
  for (const { ref } of analysis.uses) {
    if (seen.has(ref.path)) continue;
    seen.add(ref.path);
    const problem = fieldProblem(ref);
    if (problem) out.push({ path: ref.path, ...problem });
  }
  return out;
}

/** What people write when they mean a catalogue field. */
const ALIASES: Record<string, string> = {
  first_name: "contact.first_name",
  firstname: "contact.first_name",
  first: "contact.first_name",
  name: "contact.first_name",
  last_name: "contact.last_name",
  lastname: "contact.last_name",
  email: "contact.email",
  title: "contact.title",
  job_title: "contact.title",
  phone: "contact.phone",
  company: "contact.company",
  company_name: "contact.company",
  organization: "contact.company",
  domain: "account.domain",
  signature: "sender.signature",
  unsubscribe: "unsubscribe_url",
  unsubscribe_link: "unsubscribe_url",
  unsubscribe_url: "unsubscribe_url",
  "contact.name": "contact.first_name",
  "contact.firstname": "contact.first_name",
  "contact.lastname": "contact.last_name",
  "contact.company_name": "contact.company",
  "contact.job_title": "contact.title",
  "account.website": "account.domain",
  "deal.value": "deal.amount",
  "sender.first_name": "sender.name",
};

/** Namespaces from other tools, mapped onto ours. */
const NAMESPACE_ALIASES: Record<string, keyof typeof MERGE_NAMESPACES> = {
  lead: "contact",
  prospect: "contact",
  person: "contact",
  recipient: "contact",
  company: "account",
  organization: "account",
  opportunity: "deal",
  user: "sender",
  rep: "sender",
  owner: "sender",
  from: "sender",
  me: "sender",
};

function fieldProblem(ref: FieldRef): Omit<UnknownField, "path"> | null {
  const [root, second] = ref.segments;
  const path = ref.path;
  if (typeof root !== "string") return unknown(path, null);
  if (ROOT_FIELDS.includes(root)) {
    return ref.segments.length === 1 ? null : noAttributes(path, root);
  }
  const ns = mergeNamespace(root);
  if (!ns) return unknown(path, suggestion(ref));
  if (second === undefined) {
    return {
      message: `${path} is a group of fields, not a value`,
      hint: `name one field, e.g. ${root}.${ns.attributes[0]}`,
    };
  }
  if (typeof second !== "string") {
    return {
      message: `${path} looks a field up by a computed name, which cannot be checked`,
      hint: `name the field, e.g. ${root}.${ns.attributes[0]}`,
    };
  }
  if (second === "fields" && ns.customFields) {
    const name = ref.segments[2];
    if (name === undefined) {
      return {
        message: `${path} is the group of custom fields, not a value`,
        hint: `name one, e.g. ${root}.fields.plan`,
      };
    }
    // A custom field is one plain value; `.size` and friends are stripped before we get here.
    return ref.segments.length > 3 ? noAttributes(path, formatPrefix(ref, 3)) : null;
  }
  if ((ns.attributes as readonly string[]).includes(second)) {
    return ref.segments.length > 2 ? noAttributes(path, `${root}.${second}`) : null;
  }
  return unknown(path, suggestion(ref));
}

function unknown(path: string, hint: string | null): Omit<UnknownField, "path"> {
  return { message: `${path} is not a merge field`, ...(hint ? { hint } : {}) };
}

function noAttributes(path: string, field: string): Omit<UnknownField, "path"> {
  return {
    message: `${path} is not a merge field: ${field} is a single value`,
    hint: `use ${field} itself (or ${field}.size for its length)`,
  };
}

function formatPrefix(ref: FieldRef, depth: number): string {
  return formatPath(ref.segments.slice(0, depth));
}

/** The hint for a path outside the catalogue: an alias, a near-miss spelling, or a custom field. */
function suggestion(ref: FieldRef): string | null {
  const names = ref.segments.filter((s): s is string => typeof s === "string");
  const lower = names.map((s) => s.toLowerCase());
  const whole = lower.join(".");
  const aliased = ALIASES[whole];
  if (aliased) return `did you mean ${aliased}?`;

  const [root = "", attribute] = lower;
  const namespace = mergeNamespace(root)
    ? root
    : (NAMESPACE_ALIASES[root] ?? closest(root, Object.keys(MERGE_NAMESPACES)));
  if (!namespace) {
    // A bare attribute, misspelt: `{{ frist_name }}`.
    const near = names.length === 1 ? closest(root, Object.keys(ALIASES)) : null;
    const target = near ? ALIASES[near] : undefined;
    if (target) return `did you mean ${target}?`;
    return `merge fields start with ${Object.keys(MERGE_NAMESPACES).join("., ")}. or are ${ROOT_FIELDS.join(", ")}`;
  }
  const ns = mergeNamespace(namespace);
  if (!ns) return null;
  if (attribute === undefined) return `name one field, e.g. ${namespace}.${ns.attributes[0]}`;
  const attributeAlias = ALIASES[`${namespace}.${attribute}`];
  if (attributeAlias) return `did you mean ${attributeAlias}?`;
  const near = closest(attribute, ns.attributes);
  if (near) return `did you mean ${namespace}.${near}?`;
  if (ns.customFields) {
    const customName = names[1] ?? attribute;
    return `custom fields live under ${namespace}.fields: did you mean ${namespace}.fields.${customName}?`;
  }
  return `${namespace} has ${ns.attributes.map((a) => `${namespace}.${a}`).join(", ")}`;
}

/** The candidate within a small edit distance of `word`, if exactly one is nearest. */
function closest(word: string, candidates: readonly string[]): string | null {
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : null;
}

/** Levenshtein distance with adjacent transpositions ("frist" is one edit from "first"). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, at(i - 2, j - 2) + 1);
      d[i * cols + j] = value;
    }
  }
  return at(rows - 1, cols - 1);
}
