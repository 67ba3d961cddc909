// Return dates written in out-of-office replies, in seven languages, resolved against the receive day.

import { describe, expect, it } from "vitest";
import { detectLanguage } from "../../src/domain/reply/language.ts";
import { findReturnDate } from "../../src/domain/reply/returnDate.ts";

const RECEIVED_AT_UTC_MS = Date.parse("2026-11-25T12:00:00Z"); // a Wednesday

function returnDate(text: string, receivedAtUtcMs = RECEIVED_AT_UTC_MS): string | null {
  return findReturnDate(text, { receivedAtUtcMs, zone: "UTC", language: detectLanguage(text) });
}

describe("findReturnDate", () => {
  it.each([
    ["I will be back on Monday, December 7.", "2026-12-07"],
    ["I'm away and returning 12/07/2026.", "2026-12-07"],
    ["I'm travelling, back on 7 December.", "2026-12-07"],
    ["I'll be returning on the 7th of December.", "2026-12-07"],
    ["Back Dec. 7th, 2026", "2026-12-07"],
    ["I will return on 2026-12-14.", "2026-12-14"],
    ["I'm out of the office until Dec 4.", "2026-12-05"],
    ["I'm out of the office until 12/4.", "2026-12-05"],
    ["I am out of the office from November 23 through Friday, December 4th.", "2026-12-05"],
    ["Out from November 23 to December 4, back on December 7.", "2026-12-07"],
    ["I'll be back on Monday.", "2026-11-30"],
    ["Back tomorrow.", "2026-11-26"],
    ["I will be back on January 5.", "2027-01-05"],
    ["On parental leave, back in January.", "2027-01-01"],
    ["On leave until the end of February.", "2027-03-01"],
    ["I will be back on 07/12/2026.", "2026-12-07"],
    ["Ich bin ab dem 07.12.2026 wieder im Büro.", "2026-12-07"],
    ["Am 7. Dezember bin ich wieder im Büro.", "2026-12-07"],
    ["Ich bin bis einschließlich 4. Dezember nicht im Büro.", "2026-12-05"],
    ["Ich bin bis zum 04.12. nicht erreichbar.", "2026-12-05"],
    ["Abwesend: 23.11. - 04.12.2026", "2026-12-05"],
    ["Ich bin ab Montag, den 7. Dezember wieder im Büro.", "2026-12-07"],
    ["Je suis absent, de retour le 7 décembre.", "2026-12-07"],
    ["Je serai de retour le 07/12/2026.", "2026-12-07"],
    ["Je suis absente jusqu'au vendredi 4 décembre inclus.", "2026-12-05"],
    ["Je suis absente du 23 novembre au 4 décembre.", "2026-12-05"],
    ["Estoy fuera de la oficina, de vuelta el 7 de diciembre.", "2026-12-07"],
    ["Estaré fuera de la oficina del 23 al 4 de diciembre.", "2026-12-05"],
    ["Estaré de vacaciones hasta el 4 de diciembre de 2026.", "2026-12-05"],
    ["Ik ben afwezig en vanaf 7 december weer aanwezig.", "2026-12-07"],
    ["Ik ben tot en met 4 december afwezig.", "2026-12-05"],
    ["Estou fora do escritório e retorno no dia 7 de dezembro.", "2026-12-07"],
    ["Estou de férias até 4 de dezembro.", "2026-12-05"],
    ["Jag är tillbaka den 7 december.", "2026-12-07"],
    ["Jag är på semester till och med 4 december.", "2026-12-05"],
  ])("%s → %s", (text, expected) => {
    expect(returnDate(text)).toBe(expected);
  });

  it.each([
    "Thank you for your email. I am out of the office with limited access.",
    "I was in a meeting on December 3 with your colleague.",
    "Call me at 555 010 1234.",
    "Our office hours are 9.30 to 17.30.",
    "Ich bin derzeit nicht im Büro.",
  ])("finds no return date in %s", (text) => {
    expect(returnDate(text)).toBeNull();
  });

  it("resolves a date without a year to its next occurrence", () => {
    expect(returnDate("Back on 20 November.")).toBe("2027-11-20");
    expect(returnDate("Back on 25 November.")).toBe("2026-11-25");
    expect(returnDate("Back on 3 March.", Date.parse("2026-02-10T08:00:00Z"))).toBe("2026-03-03");
  });

  it("prefers a written return day to an until-date and a full date to a bare weekday", () => {
    expect(returnDate("Out until Friday, December 4; back Monday, December 7.")).toBe("2026-12-07");
    expect(returnDate("Back on Monday (December 7).")).toBe("2026-12-07");
  });

  it("reads US month/day in English and day/month elsewhere", () => {
    expect(returnDate("I'm back on 1/12.")).toBe("2027-01-12");
    expect(returnDate("Je suis de retour le 1/12.")).toBe("2026-12-01");
    expect(returnDate("I'm back on 13/12.")).toBe("2026-12-13");
  });
});
