// stripQuotedAndSignature keeps only what the author just wrote, across mail clients and languages.

import { describe, expect, it } from "vitest";
import { stripQuotedAndSignature } from "../../src/domain/reply/quotedText.ts";

describe("stripQuotedAndSignature", () => {
  it.each([
    [
      "Gmail",
      "Sounds good, let's talk.\n\nOn Wed, Nov 25, 2026 at 9:12 AM Sam Rivera <sam@example.com> wrote:\n\n> Hi Jane,\n> book a demo?",
    ],
    [
      "Gmail with a wrapped attribution",
      "Sounds good, let's talk.\n\nOn Wed, Nov 25, 2026 at 9:12 AM Sam Rivera <\nsam@example.com> wrote:\n\n> Hi Jane",
    ],
    [
      "Apple Mail",
      "Sounds good, let's talk.\n\nSent from my iPhone\n\n> On Nov 25, 2026, at 10:02, Sam <sam@example.com> wrote:\n>\n> Hi",
    ],
    [
      "Outlook desktop",
      "Sounds good, let's talk.\n\nFrom: Sam Rivera <sam@example.com>\nSent: Wednesday, November 25, 2026 9:12 AM\nTo: Jane Doe <jane@example.org>\nSubject: Quick question\n\nHi Jane, unsubscribe here.",
    ],
    [
      "Outlook on the web",
      "Sounds good, let's talk.\n\n________________________________\nFrom: Sam Rivera <sam@example.com>\nSent: Wednesday, November 25, 2026 9:12 AM\nSubject: Quick question",
    ],
    [
      "Outlook original message",
      "Sounds good, let's talk.\n\n-----Original Message-----\nFrom: Sam Rivera\nHi",
    ],
    [
      "German Outlook",
      "Sounds good, let's talk.\n\nVon: Sam Rivera <sam@example.com>\nGesendet: Mittwoch, 25. November 2026 09:12\nAn: Jane Doe\nBetreff: Kurze Frage\n\nHallo",
    ],
    [
      "German Gmail",
      "Sounds good, let's talk.\n\nAm Mi., 25. Nov. 2026 um 09:12 Uhr schrieb Sam Rivera <sam@example.com>:\n\n> Hallo",
    ],
    [
      "French Gmail",
      "Sounds good, let's talk.\n\nLe mer. 25 nov. 2026 à 09:12, Sam Rivera <sam@example.com> a écrit :\n\n> Bonjour",
    ],
    [
      "Spanish Gmail",
      "Sounds good, let's talk.\n\nEl mié, 25 nov 2026 a las 9:12, Sam Rivera (<sam@example.com>) escribió:\n\n> Hola",
    ],
    [
      "Dutch Gmail",
      "Sounds good, let's talk.\n\nOp wo 25 nov. 2026 om 09:12 schreef Sam Rivera <sam@example.com>:\n\n> Hoi",
    ],
    ["Thunderbird", "Sounds good, let's talk.\n\nOn 25/11/2026 09:12, Sam Rivera wrote:\n> Hi"],
    ["a -- signature", "Sounds good, let's talk.\n\n-- \nJane Doe\nVP Data, Globex\n+1 555 010 0000"],
    [
      "a sign-off, name, title and phone",
      "Sounds good, let's talk.\n\nBest regards,\nJane Doe\nVP Data | Globex\nM: +1 555 010 0000\nwww.globex.test",
    ],
    ["a sign-off with the name on the same line", "Sounds good, let's talk.\n\nThanks, Jane"],
    ["a German sign-off", "Sounds good, let's talk.\n\nMit freundlichen Grüßen\nJane Doe"],
    ["a forwarded message", "Sounds good, let's talk.\n\n---------- Forwarded message ---------\nFrom: Sam"],
    ["a mobile footer in another language", "Sounds good, let's talk.\n\nVon meinem iPhone gesendet"],
    [
      "a Lotus or Thunderbird attribution that starts with the name",
      "Sounds good, let's talk.\n\nSam Rivera <sam@example.com> schrieb am 25.11.2026 10:02:\n\nHallo",
    ],
  ])("%s", (_client, text) => {
    expect(stripQuotedAndSignature(text)).toBe("Sounds good, let's talk.");
  });

  it("does not cut at a rule line that only separates two languages", () => {
    const text =
      "Ich bin bis 04.12. nicht im Büro.\n\n________________________________\n\nI am out of the office until December 4.";
    expect(stripQuotedAndSignature(text)).toBe(text);
  });

  it("keeps a reply written below the quote", () => {
    expect(stripQuotedAndSignature("> Would a call help?\n> Sam\n\nYes, Tuesday works.")).toBe(
      "Yes, Tuesday works.",
    );
  });

  it("keeps a message that is only a sign-off", () => {
    expect(stripQuotedAndSignature("Thanks!\n\nOn Wed, Nov 25, 2026 at 9:12 AM Sam wrote:\n> hi")).toBe(
      "Thanks!",
    );
  });

  it("does not take a sentence that starts like a sign-off for one", () => {
    const text = "Thanks for reaching out.\nBest time for me is Tuesday.\n\nJane";
    expect(stripQuotedAndSignature(text)).toBe(text);
  });

  it("does not cut at a line that merely starts with On", () => {
    const text = "On second thought, let's talk.\nWhat about Tuesday?";
    expect(stripQuotedAndSignature(text)).toBe(text);
  });

  it("normalises line endings and invisible characters", () => {
    expect(stripQuotedAndSignature("Yes\u200b please\r\n\r\n> quoted")).toBe("Yes please");
  });
});
