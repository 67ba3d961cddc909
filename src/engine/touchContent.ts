// Renders a touch at send time from the step as its version defines it and the contact as
// they are now: a field filled in since the touch was held goes out; one still missing holds.

import type { Step } from "../domain/sequence/definition.ts";
import type { MergeContext } from "../domain/template/index.ts";
import { renderEmail, renderText } from "../domain/template/index.ts";

export type RenderedTouch =
  | { ok: true; channel: "email"; subject: string; text: string; html: string }
  | { ok: true; channel: "sms" | "voicemail"; text: string; audioUrl: string | null }
  | { ok: true; channel: "webhook"; text: string }
  | { ok: false; reason: string };

export function renderTouch(step: Step, variantId: string | null, ctx: MergeContext): RenderedTouch {
  switch (step.kind) {
    case "email": {
      const variant = variantId ? step.email.variants?.find((v) => v.id === variantId) : undefined;
      const result = renderEmail(
        {
          ...((variant?.subject ?? step.email.subject)
            ? { subject: variant?.subject ?? step.email.subject }
            : {}),
          body: variant?.body ?? step.email.body,
          format: step.email.format,
        },
        ctx,
      );
      return result.ok
        ? { ok: true, channel: "email", subject: result.subject, text: result.text, html: result.html }
        : { ok: false, reason: result.reason };
    }
    case "sms": {
      const result = renderText(step.sms.body, ctx);
      return result.ok
        ? { ok: true, channel: "sms", text: result.text, audioUrl: null }
        : { ok: false, reason: result.reason };
    }
    case "voicemail": {
      if (!step.voicemail.script) {
        return { ok: true, channel: "voicemail", text: "", audioUrl: step.voicemail.audio_url ?? null };
      }
      const result = renderText(step.voicemail.script, ctx);
      return result.ok
        ? { ok: true, channel: "voicemail", text: result.text, audioUrl: step.voicemail.audio_url ?? null }
        : { ok: false, reason: result.reason };
    }
    default:
      return { ok: false, reason: `step_not_a_message:${step.kind}` };
  }
}
