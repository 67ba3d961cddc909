import { describe, expect, it } from "vitest";
import {
  type MergeContext,
  missingFields,
  templateFields,
  unknownFields,
} from "../../../src/domain/template/index.ts";

const ann: MergeContext = {
  contact: {
    first_name: "Ann",
    last_name: "Lee",
    email: "ann@acme.test",
    title: null,
    fields: { plan: "pro" },
  },
  account: { name: "Acme", domain: "acme.test", fields: {} },
  deal: null,
  sender: { name: "Bob", email: "bob@nudge.test", signature: "Bob" },
  unsubscribe_url: "https://nudge.test/u/1",
};

describe("templateFields", () => {
  it.each([
    ["Hi {{ contact.first_name }}", [{ path: "contact.first_name", hasDefault: false }]],
    ['Hi {{ contact.first_name | default: "there" }}', [{ path: "contact.first_name", hasDefault: true }]],
    [
      "{{ contact.first_name | capitalize }} at {{ account.name | upcase }}",
      [
        { path: "contact.first_name", hasDefault: false },
        { path: "account.name", hasDefault: false },
      ],
    ],
    ["{{ contact.fields.plan }}", [{ path: "contact.fields.plan", hasDefault: false }]],
    ["{{ contact.fields['Lead Source'] }}", [{ path: "contact.fields['Lead Source']", hasDefault: false }]],
    ["{{ contact.first_name.size }}", [{ path: "contact.first_name", hasDefault: false }]],
    [
      "{% if contact.title %}As {{ contact.title }}, {% endif %}hi",
      [{ path: "contact.title", hasDefault: true }],
    ],
    [
      "{% if deal.stage == 'won' %}{{ deal.stage }}{% endif %}{{ deal.name }}",
      [
        { path: "deal.stage", hasDefault: true },
        { path: "deal.name", hasDefault: false },
      ],
    ],
    [
      "{% for tag in contact.fields.tags %}{{ tag }}{% endfor %}",
      [{ path: "contact.fields.tags", hasDefault: true }],
    ],
    [
      "{% assign who = contact.first_name | default: 'there' %}Hi {{ who }}",
      [{ path: "contact.first_name", hasDefault: true }],
    ],
    [
      "{{ contact.first_name | default: 'x' }} {{ contact.first_name }}",
      [{ path: "contact.first_name", hasDefault: false }],
    ],
    ["{{ unsubscribe_url }}", [{ path: "unsubscribe_url", hasDefault: false }]],
    ["No merge fields at all.", []],
  ])("%s reads %j", (source, fields) => {
    expect(templateFields(source)).toEqual({ ok: true, fields });
  });

  it.each([
    ["Hi {{ contact.first_name }", 1, 4],
    ["Hello\n\n{% if contact.title %}no end", 3, 1],
    ["Line one\n{{ contact.first_name | defualt: 'x' }}", 2, 1],
    ["{% iff contact.title %}{% endiff %}", 1, 1],
  ])("a syntax error in %j is reported at line %i, column %i", (source, line, column) => {
    const result = templateFields(source);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).not.toMatch(/line:\d/);
    expect(result.line).toBe(line);
    expect(result.column).toBe(column);
  });

  it("reports a misspelt filter as a syntax error rather than ignoring it", () => {
    const result = templateFields("{{ contact.first_name | defualt: 'there' }}");
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining("defualt") });
  });

  it("refuses include, render and layout: templates cannot read files", () => {
    for (const source of ["{% include 'footer' %}", "{% render 'footer' %}", "{% layout 'base' %}"]) {
      expect(templateFields(source)).toMatchObject({
        ok: false,
        message: expect.stringContaining("not available"),
      });
    }
  });
});

describe("unknownFields", () => {
  it.each([
    ["{{ contact.frist_name }}", "contact.frist_name", "did you mean contact.first_name?"],
    ["{{ contact.First_Name }}", "contact.First_Name", "did you mean contact.first_name?"],
    ["{{ contact.lastname }}", "contact.lastname", "did you mean contact.last_name?"],
    ["{{ first_name }}", "first_name", "did you mean contact.first_name?"],
    ["{{ frist_name }}", "frist_name", "did you mean contact.first_name?"],
    ["{{ contcat.title }}", "contcat.title", "did you mean contact.title?"],
    ["{{ company.name }}", "company.name", "did you mean account.name?"],
    ["{{ sender.nmae }}", "sender.nmae", "did you mean sender.name?"],
    ["{{ unsubscribe }}", "unsubscribe", "did you mean unsubscribe_url?"],
    [
      "{{ contact.industry }}",
      "contact.industry",
      "custom fields live under contact.fields: did you mean contact.fields.industry?",
    ],
    ["{{ deal.close_date }}", "deal.close_date", "deal has deal.name, deal.stage, deal.amount"],
  ])("%s is unknown, with the hint %j", (source, path, hint) => {
    expect(unknownFields(source)).toEqual([{ path, message: `${path} is not a merge field`, hint }]);
  });

  it.each([
    "{{ contact.first_name }} {{ contact.last_name }} {{ contact.email }} {{ contact.title }} {{ contact.phone }}",
    "{{ contact.company }} {{ account.name }} {{ account.domain }} {{ deal.name }} {{ deal.stage }} {{ deal.amount }}",
    "{{ sender.name }} {{ sender.email }} {{ sender.signature }} {{ sender.title }} {{ unsubscribe_url }}",
    "{{ contact.fields.anything_at_all }} {{ account.fields['Employee Count'] }} {{ contact.fields.x.size }}",
    "{% for t in contact.fields.tags %}{{ t.name }}{{ forloop.index }}{% endfor %}",
    "{% assign greeting = 'Hi' %}{% capture who %}{{ contact.first_name }}{% endcapture %}{{ greeting }} {{ who }}",
  ])("accepts catalogue fields, custom fields and template-local names: %s", (source) => {
    expect(unknownFields(source)).toEqual([]);
  });

  it("reports each unknown path once, in source order", () => {
    const found = unknownFields("{{ contact.frist_name }} {{ foo }} {{ contact.frist_name }}").map(
      (u) => u.path,
    );
    expect(found).toEqual(["contact.frist_name", "foo"]);
  });

  it("flags a whole namespace printed as a value", () => {
    expect(unknownFields("{{ contact }}")).toEqual([
      {
        path: "contact",
        message: "contact is a group of fields, not a value",
        hint: "name one field, e.g. contact.first_name",
      },
    ]);
  });

  it("flags attributes of a single value", () => {
    const [problem] = unknownFields("{{ contact.first_name.initial }}");
    expect(problem?.path).toBe("contact.first_name.initial");
    expect(problem?.message).toContain("contact.first_name is a single value");
  });

  it("leaves a template that does not parse to templateFields", () => {
    expect(unknownFields("{{ contact.frist_name }")).toEqual([]);
  });
});

describe("missingFields", () => {
  it.each<[string, MergeContext, string[]]>([
    ["Hi {{ contact.first_name }}", ann, []],
    ["Hi {{ contact.first_name }}", { contact: {} }, ["contact.first_name"]],
    ["Hi {{ contact.first_name }}", { contact: { first_name: null } }, ["contact.first_name"]],
    ["Hi {{ contact.first_name }}", { contact: { first_name: "" } }, ["contact.first_name"]],
    ["Hi {{ contact.first_name }}", { contact: { first_name: "   " } }, ["contact.first_name"]],
    ['Hi {{ contact.first_name | default: "there" }}', { contact: {} }, []],
    ["{{ contact.title }} {{ deal.name }} {{ contact.title }}", ann, ["contact.title", "deal.name"]],
    ["{% if contact.title %}As {{ contact.title }}{% endif %}", ann, []],
    ["{% if contact.title != blank %}As {{ contact.title }}{% endif %}", ann, []],
    ["{% if contact.title or contact.first_name %}As {{ contact.title }}{% endif %}", ann, ["contact.title"]],
    ["{% unless contact.title %}Hi{% else %}As {{ contact.title }}{% endunless %}", ann, []],
    ["{{ contact.fields.plan }} {{ contact.fields.seats }}", ann, ["contact.fields.seats"]],
    ["{{ contact.fields.score }}", { contact: { fields: { score: 0 } } }, []],
    ["{{ contact.fields.vip }}", { contact: { fields: { vip: false } } }, []],
    ["{{ contact.company }}", { contact: {}, account: { name: "Acme" } }, []],
    ["{{ contact.title | default: contact.fields.role }}", { contact: { fields: { role: "CTO" } } }, []],
    ["{{ contact.title | default: contact.fields.role }}", { contact: {} }, ["contact.title"]],
    ["{{ contact.title | default: contact.fields.role | default: 'friend' }}", { contact: {} }, []],
    ["{{ unsubscribe_url }}", { contact: {} }, ["unsubscribe_url"]],
    ["{{ nickname }}", ann, ["nickname"]],
    ["{% for t in contact.fields.tags %}{{ t }}{% endfor %}", ann, []],
  ])("%s with %j needs %j", (source, ctx, missing) => {
    expect(missingFields(source, ctx)).toEqual(missing);
  });
});
