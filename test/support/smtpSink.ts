// A real SMTP server in-process (the `smtp-server` package) that keeps what it receives and can
// be told how to answer: a script of steps per envelope sender, one per mail transaction,
// consumed in order (then it accepts). Keyed by sender so that other workspaces' mail going
// through the same server (a shared worker) cannot use up a test's script. A step replies with a code at MAIL FROM, RCPT TO or the end of DATA, or drops
// the connection in the middle of DATA. With `auth`, logins are checked (plain text allowed).

import type { Socket } from "node:net";
import type { Readable } from "node:stream";
import { SMTPServer, type SMTPServerSession } from "smtp-server";

export type SinkStep =
  | "accept"
  /** Answer `code` at this stage (4xx: try later; 5xx: refused). */
  | { code: number; at: "mail" | "rcpt" | "data"; message?: string }
  /** Read part of the DATA, then close the socket without an answer. */
  | "drop"
  /** Read the whole DATA and never answer (the client's timeout ends it). */
  | "stall";

export interface ReceivedMessage {
  from: string;
  to: string[];
  raw: Buffer;
}

export interface SinkAttempt {
  to: string[];
  outcome: "accepted" | "refused" | "dropped" | "stalled";
  code: number | null;
  at: "mail" | "rcpt" | "data" | null;
}

export interface SmtpSink {
  host: string;
  port: number;
  /** Complete messages accepted with a 250, in order. */
  readonly messages: ReceivedMessage[];
  /** Every transaction that reached a decision, in order. */
  readonly attempts: SinkAttempt[];
  /** Logins tried, with whether they passed (passwords are not kept). */
  readonly logins: Array<{ user: string; ok: boolean }>;
  /** How the next transactions from `sender` are answered, in order. */
  script(sender: string, ...steps: SinkStep[]): void;
  messagesTo(address: string): ReceivedMessage[];
  attemptsTo(address: string): SinkAttempt[];
  close(): Promise<void>;
}

function replyError(code: number, message: string | undefined): Error & { responseCode: number } {
  const text = message ?? (code >= 500 ? "5.1.1 No such user here" : "4.3.0 Try again later");
  return Object.assign(new Error(text), { responseCode: code });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startSmtpSink(opts: { auth?: { user: string; pass: string } } = {}): Promise<SmtpSink> {
  const steps = new Map<string, SinkStep[]>();
  const messages: ReceivedMessage[] = [];
  const attempts: SinkAttempt[] = [];
  const logins: Array<{ user: string; ok: boolean }> = [];
  // One step per transaction: taken at MAIL FROM, read again at RCPT TO and DATA.
  const current = new Map<string, SinkStep>();
  const keyOf = (session: SMTPServerSession) =>
    `${session.id}:${(session as SMTPServerSession & { transaction?: number }).transaction ?? 0}`;
  const recipients = (session: SMTPServerSession) => session.envelope.rcptTo.map((r) => r.address);
  const from = (session: SMTPServerSession) =>
    session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address;

  const server = new SMTPServer({
    name: "sink.nudge.test",
    logger: false,
    disabledCommands: opts.auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    onAuth(auth, _session, callback) {
      const ok = auth.username === opts.auth?.user && auth.password === opts.auth?.pass;
      logins.push({ user: auth.username ?? "", ok });
      if (!ok)
        return callback(Object.assign(new Error("5.7.8 Authentication failed"), { responseCode: 535 }));
      callback(null, { user: auth.username });
    },
    onMailFrom(address, session, callback) {
      const step = steps.get(address.address.toLowerCase())?.shift() ?? "accept";
      current.set(keyOf(session), step);
      if (typeof step === "object" && step.at === "mail") {
        attempts.push({ to: [], outcome: "refused", code: step.code, at: "mail" });
        return callback(replyError(step.code, step.message));
      }
      callback();
    },
    onRcptTo(address, session, callback) {
      const step = current.get(keyOf(session)) ?? "accept";
      if (typeof step === "object" && step.at === "rcpt") {
        attempts.push({ to: [address.address], outcome: "refused", code: step.code, at: "rcpt" });
        return callback(replyError(step.code, step.message));
      }
      callback();
    },
    onData(stream, session, callback) {
      const step = current.get(keyOf(session)) ?? "accept";
      current.delete(keyOf(session));
      const to = recipients(session);
      if (step === "drop") {
        stream.once("data", () => {
          attempts.push({ to, outcome: "dropped", code: null, at: "data" });
          const connection = [...connections()].find((c) => c.session === session);
          connection?._socket.destroy();
        });
        stream.on("error", () => {});
        return;
      }
      readAll(stream).then(
        (raw) => {
          if (step === "stall") {
            attempts.push({ to, outcome: "stalled", code: null, at: "data" });
            return;
          }
          if (typeof step === "object") {
            attempts.push({ to, outcome: "refused", code: step.code, at: "data" });
            return callback(replyError(step.code, step.message));
          }
          messages.push({ from: from(session), to, raw });
          attempts.push({ to, outcome: "accepted", code: 250, at: "data" });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  const connections = () =>
    (server as unknown as { connections: Set<{ session: SMTPServerSession; _socket: Socket }> }).connections;
  server.on("error", () => {
    // A client that vanishes (or a dropped connection) is expected here.
  });

  await new Promise<void>((resolve, reject) => {
    server.listen(0, "127.0.0.1", () => resolve());
    server.server.once("error", reject);
  });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  return {
    host: "127.0.0.1",
    port,
    messages,
    attempts,
    logins,
    script(sender, ...next) {
      const key = sender.toLowerCase();
      steps.set(key, [...(steps.get(key) ?? []), ...next]);
    },
    messagesTo: (address) => messages.filter((m) => m.to.some((t) => sameAddress(t, address))),
    attemptsTo: (address) => attempts.filter((a) => a.to.some((t) => sameAddress(t, address))),
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections()) c._socket.destroy();
        server.close(() => resolve());
      }),
  };
}
