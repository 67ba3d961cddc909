// Checks that need the whole read definition: tracking that conditions depend on, events that
// could never arrive, long texts, and the copy advice from the template module.

import { copyWarnings, smsSegments } from "../template/index.ts";
import type { Condition, SequenceDefinition } from "./definition.ts";
import type { PathSegment } from "./definitionError.ts";
import type { GraphFinding } from "./graphChecks.ts";
import { closestWord } from "./suggest.ts";
import { ALWAYS_ON_EXIT_EVENTS, KNOWN_EVENTS } from "./vocabulary.ts";

/** SMS longer than this many segments cost more and read like marketing. */
export const MAX_SMS_SEGMENTS = 3;

/** LinkedIn refuses connection notes longer than this. */
export const LINKEDIN_CONNECT_NOTE_CHARS = 300;

export function definitionChecks(def: SequenceDefinition): GraphFinding[] {
  const findings: GraphFinding[] = [];
  const event = (name: string, path: PathSegment[]) => {
    const finding = unknownEvent(name, path);
    if (finding) findings.push(finding);
  };
  if (def.trigger) event(def.trigger.event, ["trigger", "event"]);
  def.exit.events.forEach((e, j) => {
    event(e.event, ["exit", "events", j, "event"]);
  });
  def.exit.fields.forEach((f, j) => {
    const finding = misspeltField(f.path, ["exit", "fields", j, "field"]);
    if (finding) findings.push(finding);
  });

  def.steps.forEach((step, i) => {
    const at = (...rest: PathSegment[]): PathSegment[] => ["steps", i, ...rest];
    switch (step.kind) {
      case "sms": {
        const { segments, encoding, characters } = smsSegments(step.sms.body);
        if (segments > MAX_SMS_SEGMENTS) {
          findings.push({
            severity: "warning",
            code: "sms_segments",
            path: at("sms", "body"),
            message: `the text is ${segments} SMS segments (${characters} ${encoding} characters); carriers bill each one and long texts read like marketing`,
            hint:
              encoding === "UCS-2"
                ? "an emoji or curly quote switches the whole text to UCS-2 (67 characters a segment); plain characters fit 153"
                : `keep it under ${MAX_SMS_SEGMENTS * 153 + 1} characters`,
          });
        }
        break;
      }
      case "linkedin":
        if (
          step.linkedin.action === "connect" &&
          (step.linkedin.note?.length ?? 0) > LINKEDIN_CONNECT_NOTE_CHARS
        ) {
          findings.push({
            severity: "warning",
            code: "linkedin_note_length",
            path: at("linkedin", "note"),
            message: `the connection note is ${step.linkedin.note?.length} characters; LinkedIn allows ${LINKEDIN_CONNECT_NOTE_CHARS}`,
            hint: "shorten it, or send it as a message after they accept",
          });
        }
        break;
      case "wait_for": {
        const { event: name } = step.wait_for;
        event(name, at("wait_for", "event"));
        const exit = ALWAYS_ON_EXIT_EVENTS.get(name);
        if (exit) {
          findings.push({
            severity: "warning",
            code: "wait_for_exit_event",
            path: at("wait_for", "event"),
            message: `"${name}" ends the enrollment (always-on exit \`${exit}\`), so on_event never runs`,
            hint: "wait for something that keeps the contact enrolled, e.g. email.clicked",
          });
        }
        findings.push(...trackingNeeded(def, name, at("wait_for", "event")));
        break;
      }
      case "branch":
        if (step.branch.rules.length === 0) {
          findings.push({
            severity: "warning",
            code: "branch_without_rules",
            path: at("branch"),
            at: "key",
            message: `branch "${step.id}" has only an else, so it always goes to "${step.branch.else}"`,
            hint: `use \`next: ${step.branch.else}\` on the previous step instead`,
          });
        }
        step.branch.rules.forEach((rule, j) => {
          findings.push(...conditionChecks(def, rule.if, at("branch", j, "if"), event));
        });
        break;
      default:
        break;
    }
  });

  const stepIndex = new Map(def.steps.map((s, i) => [s.id, i]));
  for (const warning of copyWarnings(def)) {
    const index = warning.step !== undefined ? stepIndex.get(warning.step) : undefined;
    findings.push({
      severity: "warning",
      code: warning.code,
      path: index !== undefined ? ["steps", index, "email"] : [],
      ...(index !== undefined ? { at: "key" as const } : {}),
      message: warning.message,
    });
  }
  return findings;
}

function conditionChecks(
  def: SequenceDefinition,
  condition: Condition,
  path: PathSegment[],
  event: (name: string, path: PathSegment[]) => void,
): GraphFinding[] {
  switch (condition.kind) {
    case "opened":
      return trackingNeeded(def, "email.opened", [...path, "opened"]);
    case "clicked": {
      const findings = trackingNeeded(def, "email.clicked", [...path, "clicked"]);
      if (
        condition.url !== undefined &&
        !condition.url.includes("*") &&
        !/^https?:\/\//i.test(condition.url)
      ) {
        findings.push({
          severity: "warning",
          code: "url_pattern",
          path: [...path, "url"],
          message: `"${condition.url}" must equal the whole clicked URL to match`,
          hint: `to match part of the URL write "*${condition.url}*"`,
        });
      }
      return findings;
    }
    case "replied":
      return [
        {
          severity: "warning",
          code: "replied_condition",
          path: [...path, "replied"],
          at: "key",
          message:
            "a reply ends the enrollment before any branch runs (always-on exit), so this is never true",
          hint: "branch on opens, clicks, fields or tags instead",
        },
      ];
    case "event":
      event(condition.event, [...path, "event"]);
      return [];
    case "all":
    case "any":
      return condition.of.flatMap((c, k) => conditionChecks(def, c, [...path, condition.kind, k], event));
    case "not":
      return conditionChecks(def, condition.of, [...path, "not"], event);
    case "field": {
      const finding = misspeltField(condition.path, [...path, "field"]);
      return finding ? [finding] : [];
    }
    case "tag":
      return [];
    default: {
      const unknown: never = condition;
      throw new Error(`unhandled condition ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Opens and clicks are only recorded when the sequence tracks them; without it the test never
 * passes. A warning, not an error: the file is valid, it just cannot take that path.
 */
function trackingNeeded(def: SequenceDefinition, event: string, path: PathSegment[]): GraphFinding[] {
  const needs = event === "email.opened" ? "opens" : event === "email.clicked" ? "clicks" : null;
  if (needs === null || def.tracking[needs]) return [];
  return [
    {
      severity: "warning",
      code: "tracking_off",
      path,
      at: "key",
      message: `this depends on ${needs === "opens" ? "email opens" : "link clicks"}, which the sequence does not track`,
      hint: `turn it on: tracking: { ${needs}: true }`,
    },
  ];
}

function unknownEvent(name: string, path: PathSegment[]): GraphFinding | null {
  if (KNOWN_EVENTS.includes(name)) return null;
  const near = closestWord(name, KNOWN_EVENTS);
  if (near === null) return null;
  return {
    severity: "warning",
    code: "unknown_event",
    path,
    message: `"${name}" is not an event Nudge records`,
    hint: `did you mean "${near}"?`,
  };
}

/** Fields a test can read by name; any other bare name is read as a custom field. */
const KNOWN_FIELDS: readonly string[] = [
  "id",
  "email",
  "first_name",
  "last_name",
  "title",
  "phone",
  "time_zone",
  "lifecycle_stage",
  "tags",
  "company",
  "account.name",
  "account.domain",
  "deal.name",
  "deal.stage",
  "deal.amount",
];

/**
 * `contact.titel` is read as a custom field named "titel", which no contact has: the test
 * would quietly never pass. A name one typo away from a known field is flagged.
 */
function misspeltField(path: string, at: PathSegment[]): GraphFinding | null {
  const bare = path.startsWith("contact.") ? path.slice("contact.".length) : path;
  if (KNOWN_FIELDS.includes(bare) || bare.startsWith("fields.") || /^account\.fields\./.test(bare))
    return null;
  const near = closestWord(bare, KNOWN_FIELDS);
  if (near === null) return null;
  return {
    severity: "warning",
    code: "unknown_field",
    path: at,
    message: `"${path}" is not a field Nudge knows, so it is read as a custom field`,
    hint: `did you mean "${path.startsWith("contact.") ? `contact.${near}` : near}"? (custom fields are written fields.<name>)`,
  };
}
