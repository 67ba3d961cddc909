// A mailbox's SMTP connection verifies the server's certificate unless the mailbox says
// `allow_self_signed: true`: a password must not go to a server that only claims to be the host.

import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SmtpEmailTransport } from "../../src/channels/email/smtpTransport.ts";
import type { SmtpSettings } from "../../src/store/repos/mailboxes.ts";

let server: SMTPServer;
let port: number;
const received: string[] = [];

beforeAll(async () => {
  // smtp-server offers STARTTLS with its built-in self-signed certificate.
  server = new SMTPServer({
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on("end", () => {
        received.push(session.envelope.rcptTo.map((r) => r.address).join(","));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const raw = Buffer.from("From: a@sender.test\r\nTo: b@rcpt.test\r\nSubject: hi\r\n\r\nhello\r\n");

async function send(settings: SmtpSettings, to: string) {
  const transport = new SmtpEmailTransport(() => settings, null, { connection: 5_000, socket: 5_000 });
  try {
    return await transport.sendEmail({
      outboxId: "msg_1",
      from: "a@sender.test",
      to,
      raw,
      mailboxId: "mbx_1",
    });
  } finally {
    await transport.close();
  }
}

describe("SMTP certificate verification", () => {
  it("refuses a self-signed certificate by default, as a transient failure (never a bounce)", async () => {
    const result = await send({ host: "127.0.0.1", port }, "strict@rcpt.test");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.permanent).toBe(false);
    expect(received).not.toContain("strict@rcpt.test");
  });

  it("delivers over STARTTLS to a self-signed server when the mailbox allows it", async () => {
    const result = await send({ host: "127.0.0.1", port, allow_self_signed: true }, "relaxed@rcpt.test");
    expect(result).toMatchObject({ ok: true });
    expect(received).toContain("relaxed@rcpt.test");
  });
});
