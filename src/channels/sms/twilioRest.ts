// The Twilio REST shape both channels speak: form-encoded POSTs to
// /2010-04-01/Accounts/{AccountSid}/{Resource}.json with HTTP basic auth (SID:token), JSON back.
// Answers are sorted the way the outbox needs: 429 and 5xx and network trouble are transient;
// other 4xx are permanent (Twilio's error `code` says why); a timeout after the request left
// is uncertain (the provider may have accepted it, so it must never be resent automatically).

import type { ProviderAccount, SmsDeliveryResult } from "./provider.ts";

export const TWILIO_API_BASE_URL = "https://api.twilio.com";
const REQUEST_TIMEOUT_MS = 15_000;

export interface TwilioResource {
  sid?: string;
  status?: string;
  num_segments?: string;
  code?: number;
  message?: string;
  more_info?: string;
}

export async function postTwilioForm(
  account: ProviderAccount,
  resource: "Messages" | "Calls",
  params: Record<string, string>,
  opts: { fetchImpl?: typeof fetch; timeoutMs?: number } = {},
): Promise<SmsDeliveryResult & { resource?: TwilioResource }> {
  const url = `${account.apiBaseUrl.replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(account.accountSid)}/${resource}.json`;
  const auth = Buffer.from(`${account.accountSid}:${account.authToken}`).toString("base64");
  let response: Response;
  try {
    response = await (opts.fetchImpl ?? fetch)(url, {
      method: "POST",
      headers: {
        authorization: `Basic ${auth}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const err = error as Error & { cause?: { code?: string } };
    if (err.name === "TimeoutError" || err.name === "AbortError") {
      return {
        ok: false,
        permanent: false,
        uncertain: true,
        code: "timeout",
        message: `no answer from ${resource}.json within the time limit`,
      };
    }
    return { ok: false, permanent: false, code: err.cause?.code ?? "network", message: err.message };
  }
  const text = await response.text().catch(() => "");
  let body: TwilioResource = {};
  try {
    body = text ? (JSON.parse(text) as TwilioResource) : {};
  } catch {
    body = { message: text.slice(0, 200) };
  }
  if (response.ok && body.sid) {
    return {
      ok: true,
      providerMessageId: body.sid,
      response: body.status ?? String(response.status),
      resource: body,
    };
  }
  const status = response.status;
  const transient = status === 429 || status >= 500 || status === 408 || status === 401 || status === 403;
  const code = body.code !== undefined ? String(body.code) : String(status);
  return {
    ok: false,
    permanent: !transient && !response.ok,
    code,
    message: `${resource}.json answered ${status}${body.message ? `: ${body.message}` : ""}`,
  };
}
