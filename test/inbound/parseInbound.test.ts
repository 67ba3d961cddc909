// parseInbound turns raw bytes into the shape the rules read, and never throws on bad input.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDeliveryStatus, parseInbound } from "../../src/inbound/parseInbound.ts";

const DSN = [
  "Return-Path: <>",
  "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)",
  "To: sam@northwind.example.com",
  "Subject: Undelivered Mail Returned to Sender",
  "Date: Wed, 25 Nov 2026 10:00:00 +0000",
  "Message-Id: <bounce-1@mx.example.com>",
  "X-Custom: =?utf-8?Q?Gr=C3=BC=C3=9Fe?=",
  "MIME-Version: 1.0",
  'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
  "",
  "--B",
  "Content-Type: text/plain",
  "",
  "This is the mail system at host mx.example.com.",
  "",
  "--B",
  "Content-Type: message/delivery-status",
  "",
  "Reporting-MTA: dns; mx.example.com",
  "Arrival-Date: Wed, 25 Nov 2026 09:59:58 +0000",
  "",
  "Final-Recipient: rfc822; a@example.org",
  "Action: failed",
  "Status: 5.1.1",
  "Diagnostic-Code: smtp; 550 5.1.1 <a@example.org>: Recipient address",
  "    rejected: User unknown",
  "",
  "Final-Recipient: rfc822; b@example.org",
  "Action: delayed",
  "Status: 4.4.1",
  "",
  "--B",
  "Content-Type: message/rfc822",
  "",
  "Message-ID: <touch-1@northwind.example.com>",
  "From: sam@northwind.example.com",
  "To: a@example.org",
  "Subject: =?utf-8?Q?Kurze_Frage?=",
  "",
  "Hello",
  "--B--",
  "",
].join("\r\n");

describe("parseInbound", () => {
  it("reads the delivery-status fields per message and per recipient", async () => {
    const result = await parseInbound(DSN);
    if (!result.ok) throw new Error(result.error.message);
    const { message } = result;
    expect(message.contentType).toBe("multipart/report");
    expect(message.reportType).toBe("delivery-status");
    expect(message.deliveryStatus).toHaveLength(1);
    expect(message.deliveryStatus[0]?.perMessage["reporting-mta"]).toBe("dns; mx.example.com");
    expect(message.deliveryStatus[0]?.recipients).toEqual([
      {
        "final-recipient": "rfc822; a@example.org",
        action: "failed",
        status: "5.1.1",
        "diagnostic-code": "smtp; 550 5.1.1 <a@example.org>: Recipient address rejected: User unknown",
      },
      { "final-recipient": "rfc822; b@example.org", action: "delayed", status: "4.4.1" },
    ]);
  });

  it("keeps the attached original message's headers, decoded", async () => {
    const result = await parseInbound(DSN);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.message.originalHeaders?.["message-id"]).toEqual(["<touch-1@northwind.example.com>"]);
    expect(result.message.originalHeaders?.subject).toEqual(["Kurze Frage"]);
  });

  it("lower-cases header names, keeps every value and decodes encoded words", async () => {
    const result = await parseInbound(DSN);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.message.headers["return-path"]).toEqual(["<>"]);
    expect(result.message.headers["x-custom"]).toEqual(["Grüße"]);
    expect(result.message.from).toEqual({
      address: "mailer-daemon@mx.example.com",
      name: "Mail Delivery System",
    });
    expect(result.message.date).toBe("2026-11-25T10:00:00.000Z");
    expect(result.message.text).toContain("This is the mail system");
    expect(result.message.text).not.toContain("Reporting-MTA");
  });

  it("reads text from the HTML when a message has no plain-text part", async () => {
    const raw =
      "From: a@example.org\r\nSubject: hi\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Sounds <b>interesting</b></p>";
    const result = await parseInbound(raw);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.message.text.trim()).toBe("Sounds interesting");
    expect(result.message.html).toContain("<b>interesting</b>");
  });

  it("skips an mbox envelope line before the headers", async () => {
    const result = await parseInbound(
      "From sam@example.org Wed Nov 25 10:00:00 2026\nFrom: a@example.org\nSubject: x\n\nbody",
    );
    expect(result.ok && result.message.subject).toBe("x");
  });

  it("returns an error value for empty input", async () => {
    expect(await parseInbound("")).toEqual({
      ok: false,
      error: { code: "empty_message", message: "The message is empty." },
    });
    expect(await parseInbound(" \r\n\r\n ")).toMatchObject({ ok: false, error: { code: "empty_message" } });
  });

  it("returns an error value for input that is not a message", async () => {
    expect(await parseInbound("hello, this is just some text")).toMatchObject({
      ok: false,
      error: { code: "not_a_message" },
    });
    const garbage = Uint8Array.from({ length: 4096 }, (_, index) => (index * 7919 + 13) % 256);
    expect(await parseInbound(garbage)).toMatchObject({ ok: false, error: { code: "not_a_message" } });
  });

  it("refuses input above the size limit before parsing it", async () => {
    const result = await parseInbound("From: a@example.org\r\n\r\nbody", { maxBytes: 10 });
    expect(result).toMatchObject({ ok: false, error: { code: "too_large" } });
  });

  it("parses a message cut off in the middle of a MIME part", async () => {
    const truncated = DSN.slice(0, DSN.indexOf("Status: 5.1.1") + 10);
    const result = await parseInbound(truncated);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.message.subject).toBe("Undelivered Mail Returned to Sender");
    expect(result.message.text).toContain("This is the mail system");
  });

  it("parses a message with headers only", async () => {
    const result = await parseInbound("From: a@example.org\r\nSubject: only headers");
    expect(result.ok && result.message.subject).toBe("only headers");
    expect(result.ok && result.message.text).toBe("");
  });

  it("never throws, whatever the bytes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2000 }),
        fc.string({ maxLength: 200 }),
        async (bytes, prefix) => {
          const headed = Buffer.concat([Buffer.from(`From: a@example.org\r\nSubject: ${prefix}\r\n`), bytes]);
          const results = await Promise.all([parseInbound(bytes), parseInbound(headed)]);
          for (const result of results) expect(typeof result.ok).toBe("boolean");
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("parseDeliveryStatus", () => {
  it("treats a group without per-message fields as recipients only", () => {
    const report = parseDeliveryStatus(
      "\nAction: failed\nFinal-Recipient: rfc822;x@example.org\nStatus: 5.0.0\n",
    );
    expect(report.perMessage).toEqual({});
    expect(report.recipients).toEqual([
      { action: "failed", "final-recipient": "rfc822;x@example.org", status: "5.0.0" },
    ]);
  });
});
