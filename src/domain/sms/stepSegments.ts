// What each text of a sequence costs: segments and encoding per sms step, as written (merge
// fields count at their written length; the sent text is measured again when it goes out).

import type { SequenceDefinition } from "../sequence/definition.ts";
import { smsSegments } from "../template/smsSegments.ts";

export interface SmsStepSegments {
  step: string;
  /** `steps[2].sms.body` */
  path: string;
  segments: number;
  encoding: "GSM-7" | "UCS-2";
  characters: number;
  /** More than three segments: the validator's `sms_segments` warning. */
  warning: boolean;
}

export const MAX_QUIET_SMS_SEGMENTS = 3;

export function smsStepSegments(def: SequenceDefinition): SmsStepSegments[] {
  const out: SmsStepSegments[] = [];
  def.steps.forEach((step, i) => {
    if (step.kind !== "sms") return;
    const s = smsSegments(step.sms.body);
    out.push({
      step: step.id,
      path: `steps[${i}].sms.body`,
      segments: s.segments,
      encoding: s.encoding,
      characters: s.characters,
      warning: s.segments > MAX_QUIET_SMS_SEGMENTS,
    });
  });
  return out;
}
