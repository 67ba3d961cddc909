// Advisory copy checks for a sequence's emails: length, promotional subjects, follow-ups that
// repeat each other, and a missing break-up email. Warnings, never errors: the author decides.

import type { EmailContent, SequenceDefinition, Step } from "../sequence/definition.ts";
import type { CustomFields, MergeContext } from "./mergeContext.ts";
import { authoredBodyText } from "./renderEmail.ts";
import { analyseTemplate } from "./templateFields.ts";
import { htmlToText, markdownToText } from "./textPart.ts";

export interface CopyWarning {
  step?: string;
  code: "body_length" | "promotional_subject" | "duplicate_followup" | "no_breakup";
  message: string;
}

/** Cold emails of 50–125 words get the most replies in published reply-rate studies. */
export const BODY_WORDS = { min: 50, max: 125 } as const;

/** Word-shingle Jaccard similarity at which two follow-ups read as the same email. */
export const DUPLICATE_SIMILARITY = 0.8;

type EmailStep = Step & { kind: "email" };

export function copyWarnings(def: SequenceDefinition): CopyWarning[] {
  const emails = def.steps.filter((s): s is EmailStep => s.kind === "email");
  const warnings: CopyWarning[] = [];
  for (const step of emails) {
    for (const version of versionsOf(step.email)) {
      const label = version.variant ? `step "${step.id}" variant "${version.variant}"` : `step "${step.id}"`;
      if (version.bodyChanged) {
        const words = wordCount(version.body, step.email.format);
        const length = bodyLengthAdvice(words);
        if (length) warnings.push({ step: step.id, code: "body_length", message: `${label}: ${length}` });
      }
      if (version.subject !== undefined && version.subjectChanged) {
        const signs = promotionalSigns(version.subject);
        if (signs.length > 0) {
          warnings.push({
            step: step.id,
            code: "promotional_subject",
            message:
              `${label}: subject "${version.subject}" looks promotional (${signs.join("; ")}); ` +
              "spam filters and busy prospects skip these — write it like a note to a colleague",
          });
        }
      }
    }
  }
  warnings.push(...duplicateFollowups(emails), ...missingBreakup(emails));
  return warnings;
}

interface EmailVersion {
  variant?: string;
  subject?: string;
  body: string;
  /** Whether this version's subject/body differ from the step's own (a variant may reuse them). */
  subjectChanged: boolean;
  bodyChanged: boolean;
}

function versionsOf(email: EmailContent): EmailVersion[] {
  const base: EmailVersion = { body: email.body, subjectChanged: true, bodyChanged: true };
  if (email.subject !== undefined) base.subject = email.subject;
  const variants = (email.variants ?? []).map((v): EmailVersion => {
    const version: EmailVersion = {
      variant: v.id,
      body: v.body ?? email.body,
      subjectChanged: v.subject !== undefined && v.subject !== email.subject,
      bodyChanged: v.body !== undefined && v.body !== email.body,
    };
    const subject = v.subject ?? email.subject;
    if (subject !== undefined) version.subject = subject;
    return version;
  });
  return [base, ...variants];
}

function bodyLengthAdvice(words: number): string | null {
  if (words > BODY_WORDS.max) {
    return `body is ${words} words; replies drop above ~${BODY_WORDS.max} — consider trimming`;
  }
  if (words < BODY_WORDS.min) {
    return (
      `body is ${words} words; emails of ${BODY_WORDS.min}–${BODY_WORDS.max} words get the most replies — ` +
      "consider adding a line of context or a reason to answer"
    );
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Words

/** The author's words: merge values, URLs and email addresses left out. */
export function authoredWords(body: string, format: EmailContent["format"]): string[] {
  const text = authoredBodyText(body, format, sampleContext(body)) ?? withoutLiquid(body, format);
  return words(text.replace(/\b(?:https?:\/\/|www\.)\S+/gi, " ").replace(/\S+@\S+\.\S+/g, " "));
}

export function wordCount(body: string, format: EmailContent["format"]): number {
  return authoredWords(body, format).length;
}

function words(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? [];
}

/** A template that does not parse (the validator reports it) still gets a rough count. */
function withoutLiquid(body: string, format: EmailContent["format"]): string {
  const stripped = body.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, " ");
  return format === "markdown" ? markdownToText(stripped) : htmlToText(stripped);
}

/**
 * A contact with every field the body reads filled in, so `{% if %}` blocks count as written.
 * Values never reach the count: printed values are slots, dropped before counting.
 */
function sampleContext(body: string): MergeContext {
  const contactFields: CustomFields = {};
  const accountFields: CustomFields = {};
  const analysis = analyseTemplate(body);
  if (analysis.ok) {
    for (const { ref } of analysis.uses) {
      const [root, group, name] = ref.segments;
      if (group !== "fields" || typeof name !== "string") continue;
      if (root === "contact") contactFields[name] = "sample";
      if (root === "account") accountFields[name] = "sample";
    }
  }
  return {
    contact: {
      first_name: "Sample",
      last_name: "Sample",
      email: "sample@example.com",
      title: "Sample",
      phone: "+15555550100",
      company: "Sample",
      fields: contactFields,
    },
    account: { name: "Sample", domain: "example.com", fields: accountFields },
    deal: { name: "Sample", stage: "sample", amount: 1 },
    sender: { name: "Sample", email: "sender@example.com", signature: "Sample", title: "Sample" },
    unsubscribe_url: "https://example.com/unsubscribe",
  };
}

// ---------------------------------------------------------------------------------------------
// Subjects

const SPAM_TERMS: ReadonlyArray<{ term: string; pattern: RegExp }> = [
  "free",
  "guarantee",
  "guaranteed",
  "act now",
  "limited time",
  "winner",
  "urgent",
  "risk-free",
  "no obligation",
  "click here",
  "buy now",
  "order now",
  "special promotion",
  "exclusive deal",
  "cash",
  "discount",
  "earn money",
  "make money",
  "double your",
  "once in a lifetime",
  "congratulations",
].map((term) => ({ term, pattern: new RegExp(`(?<![\\p{L}\\p{N}])${term}(?![\\p{L}\\p{N}])`, "iu") }));

const SPAM_SYMBOLS = ["100%", "$$$", "% off"] as const;

/** Why a subject reads like an ad, in the words the warning shows; empty when it does not. */
export function promotionalSigns(subject: string): string[] {
  const text = subject.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, " ");
  const signs: string[] = [];
  const shouting = (text.match(/\p{L}+/gu) ?? []).filter(
    (word) => [...word].length >= 4 && word === word.toUpperCase() && word !== word.toLowerCase(),
  );
  if (shouting.length > 0) signs.push(`all caps ${shouting.map((w) => `"${w}"`).join(", ")}`);
  const exclamations = text.match(/!/g)?.length ?? 0;
  if (/!!!/.test(text)) signs.push(`"!!!"`);
  else if (exclamations >= 2) signs.push(`${exclamations} exclamation marks`);
  const terms = [
    ...SPAM_TERMS.filter(({ pattern }) => pattern.test(text)).map(({ term }) => term),
    ...SPAM_SYMBOLS.filter((symbol) => text.toLowerCase().includes(symbol)),
  ];
  if (terms.length > 0) signs.push(`spam trigger ${terms.map((t) => `"${t}"`).join(", ")}`);
  return signs;
}

// ---------------------------------------------------------------------------------------------
// Repeated follow-ups

/** Jaccard similarity of two texts' 3-word shingles (single words for very short texts). */
export function similarity(a: readonly string[], b: readonly string[]): number {
  const size = Math.min(3, a.length, b.length);
  if (size === 0) return a.length === 0 && b.length === 0 ? 1 : 0;
  const left = shingles(a, size);
  const right = shingles(b, size);
  let shared = 0;
  for (const shingle of left) if (right.has(shingle)) shared++;
  return shared / (left.size + right.size - shared);
}

function shingles(words: readonly string[], size: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + size <= words.length; i++) out.add(words.slice(i, i + size).join(" "));
  return out;
}

function duplicateFollowups(emails: EmailStep[]): CopyWarning[] {
  const bodies = emails.map((step) => ({
    step,
    words: authoredWords(step.email.body, step.email.format).map((w) => w.toLowerCase()),
  }));
  const warnings: CopyWarning[] = [];
  for (let j = 1; j < bodies.length; j++) {
    for (let i = 0; i < j; i++) {
      const earlier = bodies[i]!;
      const later = bodies[j]!;
      if (earlier.words.length === 0 && later.words.length === 0) continue;
      const score = similarity(earlier.words, later.words);
      if (score < DUPLICATE_SIMILARITY) continue;
      warnings.push({
        step: later.step.id,
        code: "duplicate_followup",
        message:
          `steps "${earlier.step.id}" and "${later.step.id}" are ${Math.round(score * 100)}% alike; ` +
          "a follow-up that repeats an earlier email reads as automated — give it a new angle " +
          "(a customer story, a question, a useful resource)",
      });
      break;
    }
  }
  return warnings;
}

// ---------------------------------------------------------------------------------------------
// Break-up email

/** Phrases of a break-up ("last chance") email; matched on lower-cased text with straight quotes. */
const BREAKUP_PHRASES: readonly RegExp[] = [
  /\bclos(e|ing)( out)? (your|the|my) file\b/,
  /\bclos(e|ing) the loop\b/,
  // "This is my last note", but not the bump's "following up on my last note".
  /(?<!\b(on|to|about|re|since|after|per|from|in|regarding) (my|our) )\blast (note|email|e-mail|message|try|attempt|time|one|follow[- ]?up|chance)\b/,
  /\bfinal (note|email|e-mail|message|attempt|follow[- ]?up)\b/,
  /\bone (last|final)\b/,
  /\bshould i (stop|close|give up|move on)\b/,
  /\bbreak[- ]?up\b/,
  /\bnot a (top )?priority\b/,
  /\bstop (reaching out|emailing|following up|bothering)\b/,
  /\bi('ll| will) (stop|leave you alone|get out of your (hair|inbox)|not (reach out|follow up|email))\b/,
  /\bwon't (bother|reach out|follow up|email)\b/,
  /\bleave you alone\b/,
  /\bassum(e|ing)\b/,
  /\bpermission to close\b/,
  /\b(bad|wrong) timing\b/,
  /\btiming (isn't|is not|wasn't|was not) right\b/,
  /\boff my list\b/,
];

export function readsAsBreakup(text: string): boolean {
  const normal = text.toLowerCase().replace(/[’‘]/g, "'");
  return BREAKUP_PHRASES.some((phrase) => phrase.test(normal));
}

/**
 * Only for a cadence (two emails or more): a one-email sequence has nothing to break up. The
 * last email in step order stands for the end of the sequence.
 */
function missingBreakup(emails: EmailStep[]): CopyWarning[] {
  const last = emails.at(-1);
  if (emails.length < 2 || !last) return [];
  const versions = versionsOf(last.email);
  const plain = versions.filter((v) => {
    const text = `${v.subject ?? ""}\n${authoredWords(v.body, last.email.format).join(" ")}`;
    return !readsAsBreakup(text);
  });
  if (plain.length === 0) return [];
  const which = plain.some((v) => v.variant === undefined)
    ? ""
    : ` (variant ${plain.map((v) => `"${v.variant}"`).join(", ")})`;
  return [
    {
      step: last.id,
      code: "no_breakup",
      message:
        `the last email, step "${last.id}"${which}, doesn't read as a break-up; ending with a short ` +
        `"should I close your file?" note often earns the most replies`,
    },
  ];
}
