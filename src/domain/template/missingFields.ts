// Decides which merge fields a template needs but a contact lacks: the reason a touch is held
// instead of going out with a blank where a name should be.

import { isBlankValue, type MergeContext, mergeScope, type ScopeValue } from "./mergeContext.ts";
import { analyseTemplate, type FieldRef, type FieldSegment } from "./templateFields.ts";

/**
 * Paths `source` needs that are absent, null or blank in `ctx` and not covered by a `default`
 * filter or a condition, once each, in source order. For `{{ a | default: b }}` the template
 * needs a or b; when both are missing, a is reported. A template that does not parse needs
 * nothing here: rendering it fails with its syntax error instead.
 */
export function missingFields(source: string, ctx: MergeContext): string[] {
  const analysis = analyseTemplate(source);
  if (!analysis.ok) return [];
  return missingIn(analysis.requirements, mergeScope(ctx));
}

export function missingIn(requirements: readonly FieldRef[][], scope: ScopeValue): string[] {
  const missing: string[] = [];
  for (const group of requirements) {
    const [primary] = group;
    if (!primary || missing.includes(primary.path)) continue;
    if (group.every((ref) => isBlankValue(resolve(ref, scope)))) missing.push(primary.path);
  }
  return missing;
}

/**
 * Follows a reference through the scope the way Liquid would. A computed segment whose key is
 * template-local cannot be known here, so it counts as present rather than holding every touch.
 */
export function resolve(ref: FieldRef, scope: ScopeValue): unknown {
  let current: unknown = scope;
  for (const segment of ref.segments) {
    const key = keyOf(segment, scope);
    if (key === UNKNOWABLE) return UNKNOWABLE;
    if (key === undefined) return undefined;
    current = property(current, key);
    if (current === undefined || current === null) return current;
  }
  return current;
}

const UNKNOWABLE = Symbol("unknowable");

function keyOf(segment: FieldSegment, scope: ScopeValue): string | number | undefined | typeof UNKNOWABLE {
  if (typeof segment !== "object") return segment;
  if (segment.ref === null) return UNKNOWABLE;
  const key = resolve(segment.ref, scope);
  if (key === UNKNOWABLE) return UNKNOWABLE;
  return typeof key === "string" || typeof key === "number" ? key : undefined;
}

function property(value: unknown, key: string | number): unknown {
  if (typeof value === "string" || Array.isArray(value)) {
    if (key === "size") return value.length;
    if (key === "first") return value[0];
    if (key === "last") return value[value.length - 1];
    if (typeof key === "number") return value[key < 0 ? value.length + key : key];
    return undefined;
  }
  if (typeof value === "object" && value !== null) {
    const name = String(key);
    if (Object.hasOwn(value, name)) return (value as Record<string, unknown>)[name];
    return name === "size" ? Object.keys(value).length : undefined;
  }
  return undefined;
}
