// The catalogue of merge fields a template may use: the namespaces, their attributes, and which
// of them carry free-form custom fields. The validator's "unknown field" check and the copy
// checks' sample contact are both read from here, so a new attribute is added in one place.

export interface MergeNamespace {
  attributes: readonly string[];
  /** Whether `<namespace>.fields.<any name>` holds the CRM's custom fields. */
  customFields: boolean;
}

export const MERGE_NAMESPACES = {
  contact: {
    attributes: ["first_name", "last_name", "email", "title", "phone", "company"],
    customFields: true,
  },
  account: { attributes: ["name", "domain"], customFields: true },
  deal: { attributes: ["name", "stage", "amount"], customFields: false },
  sender: { attributes: ["name", "email", "signature", "title"], customFields: false },
} as const satisfies Record<string, MergeNamespace>;

export type MergeNamespaceName = keyof typeof MERGE_NAMESPACES;

/** Fields that live at the top level of the context rather than in a namespace. */
export const ROOT_FIELDS: readonly string[] = ["unsubscribe_url"];

/** Liquid's built-in properties of strings and arrays (`{{ contact.first_name.size }}`). */
export const VALUE_PROPERTIES: readonly string[] = ["size", "first", "last"];

export function mergeNamespace(name: string): MergeNamespace | undefined {
  return Object.hasOwn(MERGE_NAMESPACES, name) ? MERGE_NAMESPACES[name as MergeNamespaceName] : undefined;
}

/** Every fixed field path, e.g. `contact.first_name`, `unsubscribe_url`. */
export const KNOWN_FIELD_PATHS: readonly string[] = [
  ...Object.entries(MERGE_NAMESPACES).flatMap(([ns, spec]) => spec.attributes.map((a) => `${ns}.${a}`)),
  ...ROOT_FIELDS,
];

/**
 * How many segments name one value: `contact.first_name` is 2, `contact.fields.plan` is 3,
 * `unsubscribe_url` is 1. Null when the path does not start like a merge field.
 */
export function leafDepth(segments: readonly unknown[]): number | null {
  const [root, second] = segments;
  if (typeof root !== "string") return null;
  if (ROOT_FIELDS.includes(root)) return 1;
  const ns = mergeNamespace(root);
  if (!ns) return null;
  return ns.customFields && second === "fields" ? 3 : 2;
}
