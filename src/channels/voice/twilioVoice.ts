// A Twilio-compatible voicemail drop: POST Calls.json with inline TwiML and answering-machine
// detection set to wait for the end of the greeting (`DetectMessageEnd`), so the recording or
// script starts after the beep. If a person answers, Twilio runs the same TwiML at once (they
// hear the short message); hanging up on people needs asynchronous detection, not built yet.

import type { ProviderAccount, SmsDeliveryResult } from "../sms/provider.ts";
import { postTwilioForm } from "../sms/twilioRest.ts";
import type { VoicemailDrop, VoiceProvider } from "./provider.ts";

export class TwilioVoiceProvider implements VoiceProvider {
  constructor(
    private readonly account: ProviderAccount,
    private readonly fetchImpl?: typeof fetch,
    private readonly rest: { timeoutMs?: number } = {},
  ) {}

  async dropVoicemail(drop: VoicemailDrop): Promise<SmsDeliveryResult> {
    const params: Record<string, string> = {
      To: drop.to,
      From: drop.from,
      Twiml: voicemailTwiml(drop),
      MachineDetection: "DetectMessageEnd",
    };
    if (drop.statusCallbackUrl) {
      params.StatusCallback = drop.statusCallbackUrl;
      params.StatusCallbackEvent = "completed";
    }
    const { resource: _resource, ...result } = await postTwilioForm(this.account, "Calls", params, {
      ...(this.fetchImpl ? { fetchImpl: this.fetchImpl } : {}),
      ...this.rest,
    });
    return result;
  }
}

export function voicemailTwiml(drop: Pick<VoicemailDrop, "script" | "audioUrl">): string {
  const say = drop.audioUrl
    ? `<Play>${escapeXml(drop.audioUrl)}</Play>`
    : `<Say voice="alice">${escapeXml(drop.script ?? "")}</Say>`;
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${say}<Hangup/></Response>`;
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
