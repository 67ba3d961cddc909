import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type MergeContext, renderEmail } from "../../../src/domain/template/index.ts";

const ann: MergeContext = {
  contact: {
    first_name: "Ann",
    last_name: "Lee",
    email: "ann@acme.test",
    fields: { site: "https://acme.test" },
  },
  account: { name: "Acme & Sons", domain: "acme.test" },
  sender: { name: "Bob", email: "bob@nudge.test", signature: "Bob Smith\nAccount Executive, Nudge" },
  unsubscribe_url: "https://nudge.test/u/abc?sig=1&v=2",
};

function rendered(result: ReturnType<typeof renderEmail>): { subject: string; html: string; text: string } {
  if (!result.ok) throw new Error(`expected a rendered email, got ${result.reason}`);
  return result;
}

describe("renderEmail holds instead of sending blanks", () => {
  it("holds the touch when the body needs a field the contact lacks", () => {
    const ctx: MergeContext = { ...ann, contact: { ...ann.contact, first_name: null } };
    expect(
      renderEmail({ subject: "Hello", body: "Hi {{ contact.first_name }},", format: "markdown" }, ctx),
    ).toEqual({
      ok: false,
      reason: "missing_field:contact.first_name",
      missing: ["contact.first_name"],
    });
  });

  it("names subject fields first and lists every missing field once", () => {
    const ctx: MergeContext = { contact: {} };
    const result = renderEmail(
      {
        subject: "{{ contact.title }} at {{ contact.company }}",
        body: "Hi {{ contact.first_name }} ({{ contact.title }})",
        format: "html",
      },
      ctx,
    );
    expect(result).toEqual({
      ok: false,
      reason: "missing_field:contact.title",
      missing: ["contact.title", "contact.company", "contact.first_name"],
    });
  });

  it("sends with the default when a field has one", () => {
    const ctx: MergeContext = { contact: {} };
    const email = rendered(
      renderEmail({ body: 'Hi {{ contact.first_name | default: "there" }},', format: "markdown" }, ctx),
    );
    expect(email.html).toBe("<p>Hi there,</p>");
    expect(email.text).toBe("Hi there,");
    expect(email.subject).toBe("");
  });

  it("reports a broken template as a template error naming the part", () => {
    const result = renderEmail({ subject: "Hi {{ contact.first_name }", body: "x", format: "html" }, ann);
    expect(result).toMatchObject({ ok: false, missing: [] });
    expect(!result.ok && result.reason).toMatch(/^template_error:.*\(subject line 1, column 4\)$/);
  });
});

describe("renderEmail with a Markdown body", () => {
  const body = [
    "Hi {{ contact.first_name }},",
    "",
    "I saw **{{ contact.company }}** is _hiring_ reps. [Here is a 2-minute demo](https://nudge.test/demo).",
    "",
    "- fewer dropped follow-ups",
    "- no bumps after a reply",
    "",
    "Best,",
    "{{ sender.signature }}",
    "",
    "[Unsubscribe]({{ unsubscribe_url }})",
  ].join("\n");
  const email = rendered(
    renderEmail({ subject: "Quick idea for {{ contact.company }}", body, format: "markdown" }, ann),
  );

  it("renders HTML with marked and escapes merge values", () => {
    expect(email.html).toContain("<p>Hi Ann,</p>");
    expect(email.html).toContain("<strong>Acme &amp; Sons</strong>");
    expect(email.html).toContain('<a href="https://nudge.test/demo">Here is a 2-minute demo</a>');
    expect(email.html).toContain("<li>fewer dropped follow-ups</li>");
    expect(email.html).toContain('<a href="https://nudge.test/u/abc?sig=1&amp;v=2">Unsubscribe</a>');
  });

  it("keeps the author's line breaks and a multi-line value's line breaks in HTML", () => {
    expect(email.html).toContain("<p>Best,<br>Bob Smith<br>\nAccount Executive, Nudge</p>");
  });

  it("writes a text part a person would have typed", () => {
    expect(email.text).toBe(
      [
        "Hi Ann,",
        "",
        "I saw Acme & Sons is hiring reps. Here is a 2-minute demo (https://nudge.test/demo).",
        "",
        "- fewer dropped follow-ups",
        "- no bumps after a reply",
        "",
        "Best,",
        "Bob Smith",
        "Account Executive, Nudge",
        "",
        "Unsubscribe (https://nudge.test/u/abc?sig=1&v=2)",
      ].join("\n"),
    );
  });

  it("renders the subject as plain text, unescaped", () => {
    expect(email.subject).toBe("Quick idea for Acme & Sons");
  });

  it.each([
    ["<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"],
    ["**Ann**", "**Ann**"],
    ["[click](https://evil.test)", "[click](https://evil.test)"],
    ["# Ann", "# Ann"],
    ["<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"],
  ])("a first name of %j cannot add markup: HTML shows %j", (firstName, shown) => {
    const ctx: MergeContext = { ...ann, contact: { ...ann.contact, first_name: firstName } };
    const result = rendered(renderEmail({ body: "{{ contact.first_name }}, hi", format: "markdown" }, ctx));
    expect(result.html).toBe(`<p>${shown}, hi</p>`);
    expect(result.text).toBe(`${firstName}, hi`);
  });

  it("links a URL value printed on its own, as Markdown does for a typed URL", () => {
    const result = rendered(
      renderEmail({ body: "Unsubscribe: {{ unsubscribe_url }}", format: "markdown" }, ann),
    );
    expect(result.html).toBe(
      '<p>Unsubscribe: <a href="https://nudge.test/u/abc?sig=1&amp;v=2">https://nudge.test/u/abc?sig=1&amp;v=2</a></p>',
    );
    expect(result.text).toBe("Unsubscribe: https://nudge.test/u/abc?sig=1&v=2");
  });

  it("drops images and emphasis markers from the text part", () => {
    const result = rendered(
      renderEmail(
        { body: "![logo](https://nudge.test/logo.png)\n\n*Really* ~~not~~ `code`", format: "markdown" },
        ann,
      ),
    );
    expect(result.text).toBe("Really not code");
  });

  it("numbers ordered lists and quotes blockquotes in the text part", () => {
    const result = rendered(
      renderEmail({ body: "1. one\n2. two\n\n> quoted\n> reply", format: "markdown" }, ann),
    );
    expect(result.text).toBe("1. one\n2. two\n\n> quoted\n> reply");
  });
});

describe("renderEmail with an HTML body", () => {
  it("escapes values in text and in attributes", () => {
    const ctx: MergeContext = { ...ann, contact: { ...ann.contact, first_name: `"Ann" <b>&'` } };
    const result = rendered(
      renderEmail(
        { body: '<p title="{{ contact.first_name }}">Hi {{ contact.first_name }}</p>', format: "html" },
        ctx,
      ),
    );
    expect(result.html).toBe(
      '<p title="&quot;Ann&quot; &lt;b&gt;&amp;&#39;">Hi &quot;Ann&quot; &lt;b&gt;&amp;&#39;</p>',
    );
  });

  it("neutralises a javascript: URL coming from a merge value", () => {
    const ctx: MergeContext = {
      ...ann,
      contact: { ...ann.contact, fields: { site: "java\nscript:alert(1)" } },
    };
    const result = rendered(
      renderEmail({ body: '<a href="{{ contact.fields.site }}">site</a>', format: "html" }, ctx),
    );
    expect(result.html).toBe('<a href="#">site</a>');
  });

  it("applies filters to captured merge values and escapes the capture when printed", () => {
    const ctx: MergeContext = { ...ann, contact: { ...ann.contact, first_name: "a&b" } };
    const result = rendered(
      renderEmail(
        {
          body: "{% capture who %}<{{ contact.first_name }}>{% endcapture %}{{ who }} {{ who | upcase }}",
          format: "html",
        },
        ctx,
      ),
    );
    expect(result.html).toBe("&lt;a&amp;b&gt; &lt;A&amp;B&gt;");
    expect(result.text).toBe("<a&b> <A&B>");
  });

  it("cannot be unescaped with the raw filter", () => {
    const ctx: MergeContext = { ...ann, contact: { ...ann.contact, first_name: "<b>Ann</b>" } };
    const result = rendered(
      renderEmail({ body: "<p>{{ contact.first_name | raw }}</p>", format: "html" }, ctx),
    );
    expect(result.html).toBe("<p>&lt;b&gt;Ann&lt;/b&gt;</p>");
  });

  it("writes the text part with html-to-text: links as text (url), no images, wrapped at 78", () => {
    const body = [
      "<html><head><style>p { color: red }</style></head><body>",
      "<h1>Hello {{ contact.first_name }}</h1>",
      '<p>Teams like {{ contact.company }} use Nudge to follow up on every lead without ever bumping someone who already replied. <a href="https://nudge.test/demo">See the demo</a>.</p>',
      '<p><img src="https://nudge.test/pixel.gif" alt="pixel"><a href="mailto:bob@nudge.test">bob@nudge.test</a></p>',
      "</body></html>",
    ].join("");
    const { text } = rendered(renderEmail({ body, format: "html" }, ann));
    expect(text).toContain("Hello Ann");
    expect(text).toContain("See the demo (https://nudge.test/demo).");
    expect(text).toContain("bob@nudge.test");
    expect(text).not.toContain("mailto:");
    expect(text).not.toContain("pixel");
    expect(text).not.toContain("color: red");
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(78);
  });
});

describe("renderEmail escaping (property)", () => {
  const hostile = fc
    .array(fc.oneof(fc.constantFrom("<", ">", "&", '"', "'", "<script>", "&amp;", "**", "]("), fc.string()), {
      minLength: 1,
    })
    .map((parts) => parts.join(""))
    .filter((s) => s.trim() !== "" && !/[\r\n\u2028\u2029]/.test(s) && /^\S(.*\S)?$/s.test(s));

  function escaped(value: string): string {
    return value
      .replaceAll("&", "&amp;")
      .replaceAll("<", "&lt;")
      .replaceAll(">", "&gt;")
      .replaceAll('"', "&quot;")
      .replaceAll("'", "&#39;");
  }

  it.each(["html", "markdown"] as const)(
    "always escapes <>&\"' merge values in a %s body's HTML",
    (format) => {
      fc.assert(
        fc.property(hostile, (firstName) => {
          const result = renderEmail(
            { subject: "Hi {{ contact.first_name }}", body: "Hi [[{{ contact.first_name }}]] there", format },
            { contact: { first_name: firstName } },
          );
          const email = rendered(result);
          const inner = /\[\[(.*)\]\]/s.exec(email.html)?.[1];
          expect(inner).toBe(escaped(firstName));
          expect(inner).not.toMatch(/[<>"']/);
          expect(email.subject).toBe(`Hi ${firstName.replace(/\s+/g, " ")}`);
        }),
      );
    },
  );
});
