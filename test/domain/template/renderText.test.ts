import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type MergeContext, renderHeaderValue, renderText } from "../../../src/domain/template/index.ts";

const ann: MergeContext = {
  contact: { first_name: "ann", last_name: "Lee", title: "VP Sales", fields: { plan: "pro", seats: 12 } },
  account: { name: "Acme", domain: "acme.test" },
  deal: { name: "Acme renewal", stage: "proposal", amount: 48000 },
  sender: { name: "Bob", email: "bob@nudge.test", signature: "Bob\nNudge", title: "AE" },
  unsubscribe_url: "https://nudge.test/u/1",
};

describe("renderText", () => {
  it.each([
    ["Hi {{ contact.first_name }}!", "Hi ann!"],
    ["Hi {{ contact.first_name | capitalize }}!", "Hi Ann!"],
    ["{{ account.name | upcase }} / {{ deal.stage | replace: 'proposal', 'Proposal' }}", "ACME / Proposal"],
    ["{{ deal.amount }} for {{ contact.fields.seats }} seats", "48000 for 12 seats"],
    ['Hi {{ contact.fields.nickname | default: "there" }}', "Hi there"],
    ["{% if contact.title %}As {{ contact.title }}, {% endif %}you", "As VP Sales, you"],
    ["{{ contact.company }}", "Acme"],
    ["  \n{{ sender.name }}\n  ", "Bob"],
  ])("%j renders %j", (source, text) => {
    expect(renderText(source, ann)).toEqual({ ok: true, text });
  });

  it("holds a message whose field is missing, naming the first and listing all", () => {
    const ctx: MergeContext = { contact: { first_name: "" } };
    expect(renderText("Hi {{ contact.first_name }}, about {{ deal.name }}", ctx)).toEqual({
      ok: false,
      reason: "missing_field:contact.first_name",
      missing: ["contact.first_name", "deal.name"],
    });
  });

  it("treats blank strings as missing for default, so a space never greets anyone", () => {
    const ctx: MergeContext = { contact: { first_name: "  " } };
    expect(renderText('Hi {{ contact.first_name | default: "there" }}', ctx)).toEqual({
      ok: true,
      text: "Hi there",
    });
  });

  it("trims stray whitespace around CRM values", () => {
    expect(renderText("Hi {{ contact.first_name }},", { contact: { first_name: " Ann " } })).toEqual({
      ok: true,
      text: "Hi Ann,",
    });
  });

  it("reports a syntax error as a template error, not a crash", () => {
    const result = renderText("Hi {{ contact.first_name }", ann);
    expect(result).toMatchObject({ ok: false, missing: [] });
    expect(!result.ok && result.reason).toMatch(/^template_error:.*line 1, column 4/);
  });

  it.each([
    ["a huge range", "{% for i in (1..100000000) %}{{ i }}{% endfor %}"],
    ["nested loops", "{% for i in (1..3000) %}{% for j in (1..3000) %}x{% endfor %}{% endfor %}"],
    [
      "string doubling",
      "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}",
    ],
  ])("stops a hostile template (%s) with a template error instead of hanging", (_name, source) => {
    const result = renderText(source, ann);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^template_error:/);
  });

  it("cannot read the clock or pick at random", () => {
    expect(renderText("{{ 'now' | date: '%Y' }}", ann)).toMatchObject({ ok: false });
    expect(renderText("{{ contact.fields.list | sample }}", ann)).toMatchObject({ ok: false });
  });

  it("formats dates in UTC whatever the worker's zone", () => {
    const ctx: MergeContext = { contact: { fields: { renewal: "2025-03-01T23:30:00Z" } } };
    expect(renderText("{{ contact.fields.renewal | date: '%b %d' }}", ctx)).toEqual({
      ok: true,
      text: "Mar 01",
    });
  });

  it("does not expose JavaScript internals of the context", () => {
    expect(renderText("[{{ contact.first_name.constructor }}]", ann)).toMatchObject({ ok: false });
    expect(renderText("[{{ contact.constructor | default: 'none' }}]", ann)).toEqual({
      ok: true,
      text: "[none]",
    });
  });
});

describe("renderHeaderValue", () => {
  it.each([
    [
      "Quick question, {{ contact.first_name }}",
      { contact: { first_name: "Ann\r\nBcc: everyone@x.test" } },
      "Quick question, Ann Bcc: everyone@x.test",
    ],
    ["{{ contact.first_name }}", { contact: { first_name: "A\tB\u0000C\u0085D\u2028E" } }, "A B C D E"],
    ["Re:   {{ contact.first_name }}", { contact: { first_name: "Ann" } }, "Re: Ann"],
    ["{{ contact.first_name }}", { contact: { first_name: "\u202Eevil" } }, "evil"],
  ])("%j with %j renders the single line %j", (source, ctx, text) => {
    expect(renderHeaderValue(source, ctx)).toEqual({ ok: true, text });
  });

  it("holds a subject whose field is missing", () => {
    expect(renderHeaderValue("Hi {{ contact.first_name }}", { contact: {} })).toEqual({
      ok: false,
      reason: "missing_field:contact.first_name",
      missing: ["contact.first_name"],
    });
  });

  it("never lets a merge value put a line break into a header (property)", () => {
    const withBreaks = fc
      .array(fc.oneof(fc.string(), fc.constantFrom("\r", "\n", "\r\n", "\u2028", "\u0085", "\u000b")), {
        minLength: 1,
      })
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(withBreaks, withBreaks, (first, company) => {
        const result = renderHeaderValue(
          "Hi {{ contact.first_name }} at {{ contact.company | default: 'you' }}",
          {
            contact: { first_name: first, company },
          },
        );
        if (!result.ok) {
          expect(result.reason).toBe("missing_field:contact.first_name");
          return;
        }
        expect(result.text).not.toMatch(/[\r\n\u0085\u2028\u2029]/);
      }),
    );
  });
});
