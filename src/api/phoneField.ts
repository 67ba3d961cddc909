// A phone number given in a request body, read with the workspace's default region: the parsed
// E.164 number, or a 422 problem naming the field.

import { type ParsedPhone, parsePhone } from "../domain/sms/phoneNumber.ts";
import { ApiProblem } from "./problem.ts";

export function phoneOrProblem(
  raw: string,
  defaultRegion: string,
  field: string,
): ParsedPhone & { ok: true } {
  const parsed = parsePhone(raw, defaultRegion);
  if (!parsed.ok) {
    throw new ApiProblem(422, "validation-failed", `${field}: ${parsed.detail}`, [
      { field, message: parsed.detail },
    ]);
  }
  return parsed;
}
