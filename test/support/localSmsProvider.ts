// A local SMS/voice provider for tests and demos: a real HTTP server speaking the Twilio REST
// shape Nudge's adapter uses (form-encoded POSTs to /2010-04-01/Accounts/{Sid}/Messages.json
// and Calls.json, HTTP basic auth with the account SID and token, JSON back). It records what
// it receives, can be told to fail (429, 500, or no answer at all), and talks back the way the
// provider does: inbound texts and status callbacks posted to Nudge, signed with
// X-Twilio-Signature over the public URL (reached through a local base, as behind a proxy).
// TwiML answers to an inbound text (`<Message>`) are recorded as texts the provider sent.

import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { twilioSignature } from "../../src/channels/sms/twilioSignature.ts";

export type ProviderFault = 429 | 500 | "timeout";

export interface ProviderRequest {
  resource: "Messages" | "Calls";
  accountSid: string;
  params: Record<string, string>;
  atUtcMs: number;
  /** What the server did with it. */
  outcome: "accepted" | "unauthorized" | ProviderFault;
  sid: string | null;
}

/** A text the provider sent on Nudge's behalf: a REST send, or a TwiML answer to an inbound text. */
export interface ProviderText {
  sid: string;
  from: string;
  to: string;
  body: string;
  via: "rest" | "twiml";
}

export interface LocalSmsProvider {
  /** Base URL for Nudge's `api_base_url`. */
  apiBaseUrl: string;
  accountSid: string;
  authToken: string;
  /** Every request that arrived, in order. */
  readonly requests: ProviderRequest[];
  /** Accepted texts and voicemail drops. */
  accepted(resource?: "Messages" | "Calls"): ProviderRequest[];
  /** Texts sent, REST or TwiML, in order. */
  readonly texts: ProviderText[];
  /** Points a number's inbound texts at a workspace (the provider console's webhook setting). */
  routeNumber(number: string, workspaceId: string): void;
  /** The next REST requests are answered with these faults, in order, then accepted again. */
  fail(...faults: ProviderFault[]): void;
  /** Posts an inbound text to Nudge the way the provider does; answers the HTTP status and TwiML. */
  sendInbound(input: {
    from: string;
    to: string;
    body: string;
    messageSid?: string;
    signWith?: string;
  }): Promise<{ status: number; body: string; messageSid: string }>;
  /** Someone calls one of the numbers: posts the call to its Voice URL as the provider does. */
  placeInboundCall(input: {
    from: string;
    to: string;
    callSid?: string;
    signWith?: string;
  }): Promise<{ status: number; body: string; callSid: string }>;
  /**
   * Carries out a `<Dial>` in the TwiML Nudge answered a call with: "dials" the number, then
   * posts how it ended (`DialCallStatus`) to the Dial's action URL, as the provider does.
   */
  finishDial(
    callSid: string,
    answer: string,
    dialCallStatus: "completed" | "no-answer" | "busy" | "failed",
  ): Promise<{ status: number; body: string; dialed: string }>;
  /** Posts a status callback for an accepted message or call to the URL it named. */
  postStatus(
    sid: string,
    status: string,
    opts?: { errorCode?: string; signWith?: string },
  ): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export async function startLocalSmsProvider(opts: {
  /** The URL Nudge is reached at publicly (what signatures cover). */
  nudgePublicUrl: string;
  /** Where the provider actually connects to reach Nudge (the test's listening server). */
  nudgeLocalUrl: () => string;
  now: () => number;
}): Promise<LocalSmsProvider> {
  const accountSid = `AC${randomBytes(16).toString("hex")}`;
  const authToken = randomBytes(16).toString("hex");
  const requests: ProviderRequest[] = [];
  const texts: ProviderText[] = [];
  const faults: ProviderFault[] = [];
  const hanging = new Set<ServerResponse>();
  const numberRoutes = new Map<string, string>();
  let counter = 0;
  const newSid = (prefix: "SM" | "CA") => `${prefix}${String(++counter).padStart(32, "0")}`;

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(req.url ?? "");
    if (req.method !== "POST" || !match) return json(res, 404, { code: 20404, message: "not found" });
    const resource = match[2] as "Messages" | "Calls";
    const params = Object.fromEntries(new URLSearchParams(body));
    const record: ProviderRequest = {
      resource,
      accountSid: decodeURIComponent(match[1] ?? ""),
      params,
      atUtcMs: opts.now(),
      outcome: "accepted",
      sid: null,
    };
    requests.push(record);
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;
    if (req.headers.authorization !== expected || record.accountSid !== accountSid) {
      record.outcome = "unauthorized";
      return json(res, 401, { code: 20003, message: "Authenticate", status: 401 });
    }
    const fault = faults.shift();
    if (fault === "timeout") {
      // Say nothing: the client gives up, not knowing whether we took it.
      record.outcome = "timeout";
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }
    if (fault === 429) {
      record.outcome = 429;
      return json(res, 429, { code: 20429, message: "Too Many Requests", status: 429 });
    }
    if (fault === 500) {
      record.outcome = 500;
      return json(res, 500, { code: 20500, message: "Internal Server Error", status: 500 });
    }
    const sid = newSid(resource === "Messages" ? "SM" : "CA");
    record.sid = sid;
    if (resource === "Messages") {
      texts.push({ sid, from: params.From ?? "", to: params.To ?? "", body: params.Body ?? "", via: "rest" });
    }
    return json(res, 201, {
      sid,
      account_sid: accountSid,
      status: "queued",
      to: params.To,
      from: params.From,
      ...(resource === "Messages" ? { body: params.Body, num_segments: "1" } : {}),
    });
  }

  async function postSigned(
    publicUrl: string,
    params: Record<string, string>,
    signWith: string | undefined,
  ): Promise<{ status: number; body: string }> {
    const prefix = opts.nudgePublicUrl.replace(/\/+$/, "");
    if (!publicUrl.startsWith(prefix)) throw new Error(`${publicUrl} is not under ${prefix}`);
    const local = `${opts.nudgeLocalUrl().replace(/\/+$/, "")}${publicUrl.slice(prefix.length)}`;
    const response = await fetch(local, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilioSignature(signWith ?? authToken, publicUrl, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, body: await response.text() };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiBaseUrl: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    requests,
    texts,
    accepted: (resource) =>
      requests.filter((r) => r.outcome === "accepted" && (!resource || r.resource === resource)),
    routeNumber: (number, workspaceId) => {
      numberRoutes.set(number, workspaceId);
    },
    fail: (...more) => {
      faults.push(...more);
    },
    async placeInboundCall(input) {
      const callSid = input.callSid ?? newSid("CA");
      const url = `${opts.nudgePublicUrl.replace(/\/+$/, "")}/hooks/sms/${workspaceOfNumber(input.to)}/voice`;
      const result = await postSigned(
        url,
        {
          CallSid: callSid,
          AccountSid: accountSid,
          From: input.from,
          To: input.to,
          CallStatus: "ringing",
          Direction: "inbound",
        },
        input.signWith,
      );
      return { ...result, callSid };
    },
    async finishDial(callSid, answer, dialCallStatus) {
      const dial = /<Dial\b([^>]*)>\s*<Number>([^<]+)<\/Number>\s*<\/Dial>/.exec(answer);
      const action = dial ? /\baction="([^"]+)"/.exec(dial[1] ?? "") : null;
      if (!dial || !action?.[1]) throw new Error(`no <Dial> with an action in ${answer}`);
      const result = await postSigned(
        unescapeXml(action[1]),
        {
          CallSid: callSid,
          AccountSid: accountSid,
          DialCallStatus: dialCallStatus,
          DialCallDuration: dialCallStatus === "completed" ? "42" : "0",
          CallStatus: "in-progress",
        },
        undefined,
      );
      return { ...result, dialed: unescapeXml(dial[2] ?? "") };
    },
    async sendInbound(input) {
      const messageSid = input.messageSid ?? newSid("SM");
      const url = `${opts.nudgePublicUrl.replace(/\/+$/, "")}/hooks/sms/${workspaceOfNumber(input.to)}/inbound`;
      const result = await postSigned(
        url,
        {
          MessageSid: messageSid,
          SmsSid: messageSid,
          AccountSid: accountSid,
          From: input.from,
          To: input.to,
          Body: input.body,
          NumMedia: "0",
        },
        input.signWith,
      );
      for (const m of result.body.matchAll(/<Message>([\s\S]*?)<\/Message>/g)) {
        texts.push({
          sid: newSid("SM"),
          from: input.to,
          to: input.from,
          body: unescapeXml(m[1] ?? ""),
          via: "twiml",
        });
      }
      return { ...result, messageSid };
    },
    async postStatus(sid, status, statusOpts = {}) {
      const request = requests.find((r) => r.sid === sid);
      const callback = request?.params.StatusCallback;
      if (!request || !callback) throw new Error(`no accepted request ${sid} with a StatusCallback`);
      const params: Record<string, string> =
        request.resource === "Messages"
          ? {
              MessageSid: sid,
              SmsSid: sid,
              MessageStatus: status,
              SmsStatus: status,
              AccountSid: accountSid,
              To: request.params.To ?? "",
              From: request.params.From ?? "",
            }
          : {
              CallSid: sid,
              CallStatus: status,
              AccountSid: accountSid,
              To: request.params.To ?? "",
              From: request.params.From ?? "",
            };
      if (statusOpts.errorCode) params.ErrorCode = statusOpts.errorCode;
      return postSigned(callback, params, statusOpts.signWith);
    },
    async close() {
      for (const res of hanging) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  /** Which workspace a number's inbound texts go to: the test registers them. */
  function workspaceOfNumber(number: string): string {
    const ws = numberRoutes.get(number);
    if (!ws) throw new Error(`no workspace routes texts to ${number}; call routeNumber first`);
    return ws;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}
