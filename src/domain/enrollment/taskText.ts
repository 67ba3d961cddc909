// What a rep reads on a task: its title and note, rendered with the contact's fields. A rep is
// a person, so a missing field shows as written instead of holding the task.

import type { Step } from "../sequence/definition.ts";
import { renderText } from "../template/index.ts";
import type { DecisionContext } from "./decisionContext.ts";
import { mergeContextOf } from "./mergeContext.ts";
import type { DecideFacts } from "./types.ts";

export type TaskStep = Step & { kind: "call" | "linkedin" | "manual_email" | "task" };

export function renderLeniently(source: string | undefined, facts: DecideFacts): string | null {
  if (source === undefined) return null;
  const rendered = renderText(source, mergeContextOf(facts));
  return rendered.ok ? rendered.text : source;
}

/** For the on-complete task, rendered with the facts as the last step left them. */
export function renderForRep(source: string | undefined, ctx: DecisionContext): string | null {
  return renderLeniently(source, ctx.facts);
}

export function taskText(step: TaskStep, facts: DecideFacts): { title: string; note: string | null } {
  const lenient = (source: string | undefined) => renderLeniently(source, facts);
  const who = contactName(facts);
  switch (step.kind) {
    case "call":
      return { title: `Call ${who}`, note: lenient(step.call.note) };
    case "linkedin": {
      const verb = { connect: "Connect with", message: "Message", view: "View the profile of" }[
        step.linkedin.action
      ];
      return { title: `LinkedIn: ${verb} ${who}`, note: lenient(step.linkedin.note) };
    }
    case "manual_email": {
      const subject = lenient(step.manual_email.subject);
      const parts = [lenient(step.manual_email.note), lenient(step.manual_email.body)].filter(
        (p): p is string => p !== null && p !== "",
      );
      return { title: `Email ${who}${subject ? `: ${subject}` : ""}`, note: parts.join("\n\n") || null };
    }
    case "task":
      return { title: lenient(step.task.title) ?? step.task.title, note: lenient(step.task.note) };
  }
}

function contactName(facts: DecideFacts): string {
  const c = facts.contact;
  const name = [c.first_name, c.last_name].filter((p) => p !== null && p.trim() !== "").join(" ");
  return name || c.email || "the contact";
}
