// Table tests for the rules on hand-built messages: the precedence between rules and intents,
// the wording that must not mislead them, and the Classifier seam.

import { describe, expect, it } from "vitest";
import { classifyInbound, rulesClassifier } from "../../src/domain/reply/classify.ts";
import { readIntent } from "../../src/domain/reply/intent.ts";
import type { Classification, Classifier, ParsedInbound } from "../../src/domain/reply/types.ts";
import { classifyRaw } from "../../src/inbound/classifyRaw.ts";

const RECEIVED = { receivedAtUtcMs: Date.parse("2026-11-25T12:00:00Z") };

function message(overrides: Partial<ParsedInbound> = {}): ParsedInbound {
  return {
    from: { address: "jane.doe@example.org", name: "Jane Doe" },
    to: [{ address: "sam@northwind.example.com", name: "Sam Rivera" }],
    cc: [],
    subject: "Re: Quick question",
    messageId: "<reply-1@example.org>",
    inReplyTo: "<touch-1@northwind.example.com>",
    references: ["<touch-1@northwind.example.com>"],
    headers: {},
    text: "",
    html: null,
    date: "2026-11-25T11:00:00.000Z",
    contentType: "text/plain",
    reportType: null,
    deliveryStatus: [],
    originalHeaders: null,
    ...overrides,
  };
}

function classifyText(text: string, overrides: Partial<ParsedInbound> = {}): Classification {
  return classifyInbound(message({ text, ...overrides }), RECEIVED);
}

const QUOTED_SALES_EMAIL = `

On Wed, Nov 25, 2026 at 9:12 AM Sam Rivera <sam@northwind.example.com> wrote:
> Would it be worth a 20-minute call? Happy to book a demo.
> Unsubscribe: https://t.northwind.example.com/u/8f3k2m9q`;

describe("intent of a human reply", () => {
  it.each([
    ["Let's set up a call next week.", "meeting_request"],
    ["Sure, send me times for Thursday.", "meeting_request"],
    ["Call me Tuesday at 2.", "meeting_request"],
    ["We'd love a demo. Thursday at 3pm works.", "meeting_request"],
    ["What does next Tuesday look like for you?", "meeting_request"],
    ["Can you contact me next week to set up a demo?", "meeting_request"],
    ["Sounds interesting, tell me more.", "interested"],
    ["Yes, please send over some case studies.", "interested"],
    ["How much does it cost?", "question"],
    ["Does it integrate with Salesforce?", "question"],
    ["Is there a free trial?", "question"],
    ["Not right now, reach out next quarter.", "not_now"],
    ["We just signed with a competitor.", "not_now"],
    ["Maybe in Q3.", "not_now"],
    ["No budget until April.", "not_now"],
    ["Not interested right now, maybe next year.", "not_now"],
    ["Not interested.", "not_interested"],
    ["No thanks, we're all set.", "not_interested"],
    ["This is not a fit for us.", "not_interested"],
    ["I'm not the right person, talk to Jane.", "referral"],
    ["You should talk to our CTO, Raj Patel.", "referral"],
    ["Please reach out to maria@example.org instead.", "referral"],
    ["Kein Interesse.", "not_interested"],
    ["Pas intéressé, merci.", "not_interested"],
    ["Nous ne sommes pas intéressés.", "not_interested"],
    ["Thanks.", "other"],
  ])("%s → %s", (text, intent) => {
    const result = classifyText(text + QUOTED_SALES_EMAIL);
    expect(result.class).toBe("human_reply");
    expect(result.intent).toBe(intent);
    if (intent !== "other") expect(result.rule).toMatch(/^intent: "/);
  });

  it("extracts the referred person from the text and from Cc", () => {
    expect(
      classifyText("I'm not the right person - please contact Jane Smith at jane.smith@example.org.")
        .referral,
    ).toEqual({
      name: "Jane Smith",
      email: "jane.smith@example.org",
    });
    const cc = classifyText("Looping in Raj, who owns this.", {
      cc: [{ address: "raj@example.org", name: "Raj Patel" }],
    });
    expect(cc.intent).toBe("referral");
    expect(cc.referral).toEqual({ name: "Raj Patel", email: "raj@example.org" });
  });

  it("ignores what our own quoted email says", () => {
    expect(classifyText(`Thanks.${QUOTED_SALES_EMAIL}`).intent).toBe("other");
  });

  it("reads an empty reply as other, with a rule that says why", () => {
    const result = classifyText(QUOTED_SALES_EMAIL.trim());
    expect(result).toMatchObject({ class: "human_reply", intent: "other" });
  });

  it("exposes the intent reader for other classifiers to reuse", () => {
    expect(readIntent("let's set up a call").intent).toBe("meeting_request");
  });
});

describe("unsubscribe requests", () => {
  it.each([
    "Unsubscribe",
    "STOP",
    "Please remove me from your list.",
    "Take me off your mailing list.",
    "Stop emailing me.",
    "Please stop.",
    "Don't contact me again.",
    "I'd like to opt out.",
    "Bitte melden Sie mich ab.",
    "Merci de me désabonner.",
    "Por favor, darme de baja.",
    "Graag uitschrijven.",
  ])("%s", (text) => {
    expect(classifyText(text + QUOTED_SALES_EMAIL).class).toBe("unsubscribe_request");
  });

  it("does not read talk about unsubscribing elsewhere as a request", () => {
    const result = classifyText(
      `I can't unsubscribe from our vendor newsletters at work either. Let's talk Tuesday.${QUOTED_SALES_EMAIL}`,
    );
    expect(result).toMatchObject({ class: "human_reply", intent: "meeting_request" });
  });

  it("does not read leaving a cc as a request to stop", () => {
    const result = classifyText("Please take me off the cc, Raj owns this now.", {
      cc: [{ address: "raj@example.org", name: "Raj Patel" }],
    });
    expect(result).toMatchObject({
      class: "human_reply",
      intent: "referral",
      referral: { email: "raj@example.org" },
    });
  });

  it("does not read our own quoted unsubscribe link as a request", () => {
    expect(classifyText(`Sounds interesting.${QUOTED_SALES_EMAIL}`).class).toBe("human_reply");
  });

  it("reads a refusal with a removal request as an unsubscribe", () => {
    expect(classifyText("Not interested, please remove me from your list.").class).toBe(
      "unsubscribe_request",
    );
  });
});

describe("automatic replies", () => {
  it.each([
    [{ "auto-submitted": ["auto-replied"] }, "header Auto-Submitted: auto-replied"],
    [{ "auto-submitted": ["auto-generated"] }, "header Auto-Submitted: auto-generated"],
    [{ "x-autoreply": ["yes"] }, "header X-Autoreply: yes"],
    [{ "x-autorespond": ["On vacation"] }, "header X-Autorespond: On vacation"],
    [{ precedence: ["auto_reply"] }, "header Precedence: auto_reply"],
    [{ precedence: ["bulk"] }, "header Precedence: bulk"],
  ])("%j decides", (headers, rule) => {
    expect(classifyText("Let's set up a call!", { headers })).toMatchObject({ class: "auto_reply", rule });
  });

  it("does not treat Auto-Submitted: no as machine mail", () => {
    expect(classifyText("Let's set up a call!", { headers: { "auto-submitted": ["no"] } }).class).toBe(
      "human_reply",
    );
  });

  it.each([
    "Automatic reply: Quick question",
    "Auto reply: Quick question",
    "Out of Office: Quick question",
    "Automatische Antwort: Kurze Frage",
    "Abwesenheitsnotiz: Kurze Frage",
    "Réponse automatique : Petite question",
    "Absence",
    "Respuesta automática: Pregunta rápida",
    "Fuera de la oficina",
    "Automatisch antwoord: Korte vraag",
    "Afwezig",
    "Resposta automática: Pergunta",
    "Automatiskt svar: Fråga",
    "Jane Doe is out of the office",
  ])("subject %s", (subject) => {
    const result = classifyText("Thank you for your message.", { subject });
    expect(result.class).toBe("auto_reply");
    expect(result.rule).toMatch(/subject pattern/);
  });

  it("names X-Auto-Response-Suppress when Outlook sets it with an out-of-office subject", () => {
    const result = classifyText("Thanks", {
      subject: "Automatic reply: Quick question",
      headers: { "x-auto-response-suppress": ["All"] },
    });
    expect(result.rule).toBe('header X-Auto-Response-Suppress + subject pattern: "Automatic reply:"');
  });

  it.each([
    ["I am out of the office until Dec 4 with limited access to email.", "2026-12-05"],
    ["I'm currently on vacation and will return on Monday, December 7.", "2026-12-07"],
    ["I'm OOO until 12/7, back on the 8th.", "2026-12-08"],
    ["I'm on PTO and back on Monday.", "2026-11-30"],
    ["Thank you for your email. I am currently away from the office.", null],
    ["Ich bin bis zum 4. Dezember nicht im Büro.", "2026-12-05"],
    ["Ich befinde mich im Urlaub und bin ab dem 7.12. wieder erreichbar.", "2026-12-07"],
    ["Je suis absente jusqu'au 4 décembre inclus.", "2026-12-05"],
    ["Me encuentro de vacaciones hasta el 4 de diciembre.", "2026-12-05"],
    ["Ik ben met vakantie tot en met 4 december.", "2026-12-05"],
    ["This is an automated response. We have received your message and will reply within 24 hours.", null],
  ])("body only: %s", (text, returnDate) => {
    const result = classifyText(text + QUOTED_SALES_EMAIL);
    expect(result.class).toBe("auto_reply");
    expect(result.returnDate).toBe(returnDate);
  });

  it("does not call a reply automatic because it names a day", () => {
    expect(classifyText("Je serai de retour le lundi 7 décembre, appelez-moi.").class).toBe("human_reply");
  });

  it("keeps a person who mentions being away a person", () => {
    const result = classifyText("I'm out of the office next week, but can we talk on December 8?");
    expect(result).toMatchObject({ class: "human_reply", intent: "meeting_request" });
  });

  it("reads a left-the-company notice as automatic and keeps the named successor", () => {
    const result = classifyText(
      "Jordan is no longer with Globex. Please contact Maria Chen at maria.chen@example.org.",
      {
        headers: { "auto-submitted": ["auto-generated"] },
      },
    );
    expect(result).toMatchObject({
      class: "auto_reply",
      referral: { name: "Maria Chen", email: "maria.chen@example.org" },
    });
  });

  it("reads mail from a no-reply address as machine mail", () => {
    expect(
      classifyText("Your ticket was closed.", { from: { address: "noreply@example.org", name: "" } }).class,
    ).toBe("auto_reply");
  });

  it("reads a read receipt as machine mail", () => {
    expect(
      classifyText("Your message was read.", {
        contentType: "multipart/report",
        reportType: "disposition-notification",
      }).class,
    ).toBe("auto_reply");
  });

  it("resolves return dates in the zone it is given", () => {
    const msg = message({
      text: "I'm out of the office, back on Monday.",
      headers: { "auto-submitted": ["auto-replied"] },
    });
    // 25 Nov 23:30 UTC is already Thursday 26 Nov in Tokyo; next Monday is the 30th either way.
    const lateUtc = { receivedAtUtcMs: Date.parse("2026-11-29T23:30:00Z") };
    expect(classifyInbound(msg, lateUtc).returnDate).toBe("2026-11-30");
    expect(classifyInbound(msg, { ...lateUtc, defaultZone: "Asia/Tokyo" }).returnDate).toBe("2026-12-07");
  });
});

describe("bounces", () => {
  function dsn(fields: Record<string, string>, text = ""): ParsedInbound {
    return message({
      from: { address: "mailer-daemon@mx.example.com", name: "Mail Delivery System" },
      subject: "Undelivered Mail Returned to Sender",
      text,
      contentType: "multipart/report",
      reportType: "delivery-status",
      deliveryStatus: [{ perMessage: { "reporting-mta": "dns; mx.example.com" }, recipients: [fields] }],
    });
  }

  it.each([
    [{ action: "failed", status: "5.1.1" }, "bounce_hard"],
    [{ action: "failed", status: "5.1.2" }, "bounce_hard"],
    [{ action: "failed", status: "5.4.4" }, "bounce_hard"],
    [{ action: "failed", status: "5.1.10" }, "bounce_hard"],
    [{ action: "failed", status: "5.2.2" }, "bounce_soft"],
    [{ action: "failed", status: "4.2.2" }, "bounce_soft"],
    [{ action: "failed", status: "5.0.0", "diagnostic-code": "smtp; 552 Mailbox full" }, "bounce_soft"],
    [{ action: "failed", status: "4.4.7" }, "bounce_soft"],
    [{ action: "delayed", status: "4.4.1" }, "bounce_soft"],
    [{ action: "failed", "diagnostic-code": "smtp; 550 5.1.1 user unknown" }, "bounce_hard"],
    [{ action: "delivered", status: "2.0.0" }, "auto_reply"],
    [{ action: "relayed", status: "2.0.0" }, "auto_reply"],
  ])("delivery status %j → %s", (fields, expected) => {
    const result = classifyInbound(dsn({ "final-recipient": "rfc822; a@example.org", ...fields }), RECEIVED);
    expect(result.class).toBe(expected);
    expect(result.rule).toMatch(/^multipart\/report; report-type=delivery-status/);
  });

  it("reports the recipient, status, MTA, diagnostic and original Message-ID", () => {
    const msg = dsn({
      "final-recipient": "rfc822; A@Example.org",
      action: "failed",
      status: "5.1.1",
      "diagnostic-code": "smtp; 550 5.1.1 no such user",
    });
    const result = classifyInbound(
      { ...msg, originalHeaders: { "message-id": ["<touch-9@northwind.example.com>"] } },
      RECEIVED,
    );
    expect(result.bounce).toEqual({
      recipient: "a@example.org",
      status: "5.1.1",
      mta: "mx.example.com",
      diagnostic: "550 5.1.1 no such user",
      originalMessageId: "<touch-9@northwind.example.com>",
    });
  });

  it.each([
    ["Remote host said: 550 5.1.1 <x@example.org>... User unknown", "5.1.1"],
    ["Sorry, no mailbox here by that name. (#5.1.1)", "5.1.1"],
    ["#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##", "5.1.1"],
    ["<x@example.org>: 550-5.1.1 The email account does not exist", "5.1.1"],
    ["554: delivery error: dd This user doesn't have a yahoo.com account", "5.1.1"],
    ["550 Requested action not taken: mailbox unavailable", "5.1.1"],
    ["452 4.2.2 Mailbox full", "4.2.2"],
  ])("finds the status in bounce text %s", (line, status) => {
    const text = `Hi. This is the qmail-send program at mx.example.com.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\n<x@example.org>:\n${line}\n`;
    const result = classifyText(text, {
      from: { address: "MAILER-DAEMON@mx.example.com", name: "" },
      subject: "failure notice",
    });
    expect(result.bounce?.status).toBe(status);
    expect(result.bounce?.recipient).toBe("x@example.org");
  });

  it("does not read a person forwarding a bounce as a bounce", () => {
    const result = classifyText(
      "Hi Sam, your email to my colleague bounced - could you resend it to me?\n\n---------- Forwarded message ---------\nFrom: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n\n** Address not found **\n\nYour message wasn't delivered to x@example.org because the address couldn't be found.",
    );
    expect(result.class).toBe("human_reply");
  });

  it("never lets a bounce or an auto-reply through as a human reply, whatever the reply says", () => {
    const bodies = [
      "Let's set up a call!",
      "Not interested.",
      "Unsubscribe",
      "Sounds interesting, how much is it?",
    ];
    for (const body of bodies) {
      expect(
        classifyInbound({ ...dsn({ action: "failed", status: "5.1.1" }), text: body }, RECEIVED).class,
      ).toBe("bounce_hard");
      expect(classifyText(body, { headers: { "auto-submitted": ["auto-replied"] } }).class).not.toBe(
        "human_reply",
      );
    }
  });
});

describe("the Classifier seam", () => {
  it("runs another classifier, sync or async, on the same parsed message", async () => {
    const seen: ParsedInbound[] = [];
    const model: Classifier = {
      async classify(msg) {
        seen.push(msg);
        return {
          class: "human_reply",
          intent: "question",
          rule: "model: asks about pricing",
          confidence: 0.66,
        };
      },
    };
    const raw = "From: Jane <jane@example.org>\r\nSubject: Re: hi\r\n\r\nHow much is it?";
    const result = await classifyRaw(raw, { ...RECEIVED, classifier: model });
    expect(result).toMatchObject({ ok: true, classification: { rule: "model: asks about pricing" } });
    expect(seen[0]?.text.trim()).toBe("How much is it?");
    const rules = await classifyRaw(raw, RECEIVED);
    expect(rules).toMatchObject({
      ok: true,
      classification: await rulesClassifier.classify(seen[0]!, RECEIVED),
    });
  });

  it("passes a parse error through instead of classifying garbage", async () => {
    expect(await classifyRaw("not an email at all", RECEIVED)).toMatchObject({
      ok: false,
      error: { code: "not_a_message" },
    });
  });
});

describe("large and pathological input", () => {
  it.each([
    [
      "three megabytes of text",
      `Let's talk.\n${"lorem ipsum 12/07 back on Monday, please stop\n".repeat(70_000)}`,
    ],
    ["fifty thousand blank lines in a bounce", `The following addresses failed:${"\n".repeat(50_000)}x`],
    ["one two-megabyte line", "a".repeat(2_000_000)],
  ])("classifies %s within three seconds", (_name, text) => {
    const started = performance.now();
    classifyText(text, { from: { address: "mailer-daemon@mx.example.com", name: "" } });
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
