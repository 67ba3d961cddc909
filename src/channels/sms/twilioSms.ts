// A Twilio-compatible SMS provider: POST Messages.json with To, From, Body and StatusCallback.

import type { ProviderAccount, SmsDeliveryResult, SmsProvider, SmsSend } from "./provider.ts";
import { postTwilioForm } from "./twilioRest.ts";

export class TwilioSmsProvider implements SmsProvider {
  constructor(
    private readonly account: ProviderAccount,
    private readonly fetchImpl?: typeof fetch,
    private readonly rest: { timeoutMs?: number } = {},
  ) {}

  async sendSms(send: SmsSend): Promise<SmsDeliveryResult> {
    const params: Record<string, string> = { To: send.to, From: send.from, Body: send.body };
    if (send.statusCallbackUrl) params.StatusCallback = send.statusCallbackUrl;
    const { resource: _resource, ...result } = await postTwilioForm(this.account, "Messages", params, {
      ...(this.fetchImpl ? { fetchImpl: this.fetchImpl } : {}),
      ...this.rest,
    });
    return result;
  }
}
