// The HTML side of tracking: which links are rewritten, what is recorded for each, and that
// nothing else in the HTML changes.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rewriteLinks } from "../../src/domain/tracking/rewriteLinks.ts";
import { trackEmailHtml } from "../../src/domain/tracking/trackEmailHtml.ts";

const urls = {
  clickUrl: (i: number) => `https://t.example/c/${i}`,
  pixelUrl: "https://t.example/o.gif",
  keep: (url: string) => url.startsWith("https://t.example/"),
};

describe("rewriteLinks", () => {
  it("rewrites http(s) links in document order and records the decoded URL of each", () => {
    const html =
      '<p>See <a href="https://acme.test/pricing?a=1&amp;b=2">pricing</a> and ' +
      "<a class=x href='http://acme.test/docs' title=\"href=https://evil.test\">docs</a>.</p>";
    const out = rewriteLinks(html, { trackedUrl: urls.clickUrl });
    expect(out.links).toEqual([
      { index: 0, url: "https://acme.test/pricing?a=1&b=2" },
      { index: 1, url: "http://acme.test/docs" },
    ]);
    expect(out.html).toBe(
      '<p>See <a href="https://t.example/c/0">pricing</a> and ' +
        '<a class=x href="https://t.example/c/1" title="href=https://evil.test">docs</a>.</p>',
    );
  });

  it("leaves mailto, tel, anchors, kept URLs, data-notrack links and links in comments alone", () => {
    const html = [
      '<a href="mailto:sam@acme.test">mail</a>',
      '<a href="tel:+15555550100">call</a>',
      '<a href="#top">top</a>',
      '<a href="https://t.example/u/abc">unsubscribe</a>',
      '<a data-notrack href="https://acme.test/private">private</a>',
      '<!-- <a href="https://acme.test/hidden">x</a> -->',
      '<a href="https://acme.test/ok">ok</a>',
    ].join("\n");
    const out = rewriteLinks(html, { trackedUrl: urls.clickUrl, keep: urls.keep });
    expect(out.links).toEqual([{ index: 0, url: "https://acme.test/ok" }]);
    expect(out.html).toBe(html.replace('"https://acme.test/ok"', '"https://t.example/c/0"'));
  });
});

describe("recorded URLs", () => {
  it("are what a browser would request, so a redirect can always send them as they are", () => {
    const html =
      '<a href=" https://acme.test">a</a><a href="https://acme.test/Grüße?q=a b">b</a>' +
      '<a href="https://acme.test/x\r\nSet-Cookie: y">c</a><a href="https://">d</a>';
    const out = rewriteLinks(html, { trackedUrl: urls.clickUrl });
    expect(out.links).toEqual([
      { index: 0, url: "https://acme.test/" },
      { index: 1, url: "https://acme.test/Gr%C3%BC%C3%9Fe?q=a%20b" },
      { index: 2, url: "https://acme.test/xSet-Cookie:%20y" },
    ]);
    expect(out.html).toContain('<a href="https://">d</a>');
  });
});

describe("trackEmailHtml", () => {
  const html = '<p>Read <a href="https://acme.test/a">this</a></p>';

  it("changes nothing with tracking off (the default)", () => {
    expect(trackEmailHtml(html, { opens: false, clicks: false }, urls)).toEqual({ html, links: [] });
  });

  it("adds only the pixel for opens, only the links for clicks", () => {
    const opens = trackEmailHtml(html, { opens: true, clicks: false }, urls);
    expect(opens.links).toEqual([]);
    expect(opens.html).toContain('<a href="https://acme.test/a">');
    expect(opens.html).toContain('<img src="https://t.example/o.gif" width="1" height="1"');

    const clicks = trackEmailHtml(html, { opens: false, clicks: true }, urls);
    expect(clicks.links).toEqual([{ index: 0, url: "https://acme.test/a" }]);
    expect(clicks.html).toBe('<p>Read <a href="https://t.example/c/0">this</a></p>');
  });

  it("puts the pixel before </body> when there is one", () => {
    const out = trackEmailHtml("<html><body><p>x</p></body></html>", { opens: true, clicks: true }, urls);
    expect(out.html).toMatch(/<p>x<\/p><img [^>]+><\/body><\/html>$/);
  });
});

describe("rewriteLinks on generated HTML", () => {
  /** `rewritten(i)`: the piece after rewriting, when it is tracked link number i. */
  type Piece = { html: string; tracked?: string; rewritten?: (i: number) => string };
  const path = fc.stringMatching(/^[a-z0-9/-]{0,12}$/);
  const link: fc.Arbitrary<Piece> = fc
    .record({
      scheme: fc.constantFrom("https", "http", "HTTPS"),
      path,
      query: fc.option(fc.tuple(path, path), { nil: undefined }),
      quote: fc.constantFrom('"', "'", ""),
      before: fc.constantFrom("", ' class="x"', ' title="href=https://evil.test/"', " id=a"),
      notrack: fc.boolean(),
    })
    .map(({ scheme, path: p, query, quote, before, notrack }) => {
      const url = `${scheme}://acme.test/${p}${query ? `?a=${query[0]}&b=${query[1]}` : ""}`;
      const written = url.replace(/&/g, "&amp;");
      const q = written.includes("&") && quote === "" ? '"' : quote;
      const attrs = `${before}${notrack ? " data-notrack" : ""}`;
      return {
        html: `<a${attrs} href=${q}${written}${q}>go</a>`,
        ...(notrack
          ? {}
          : {
              tracked: new URL(url).href,
              rewritten: (i: number) => `<a${attrs} href="https://t.example/c/${i}">go</a>`,
            }),
      };
    });
  const other: fc.Arbitrary<Piece> = fc
    .constantFrom(
      "<p>text</p>",
      '<a href="mailto:x@acme.test">m</a>',
      '<a href="#top">t</a>',
      '<!-- <a href="https://acme.test/c">c</a> -->',
      '<img src="https://acme.test/i.png" alt="href=https://acme.test/">',
      "a &amp; b",
    )
    .map((html) => ({ html }));

  it("changes only the href values of trackable links, in document order", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(link, other), { maxLength: 12 }), (pieces) => {
        const input = pieces.map((p) => p.html).join("\n");
        let k = 0;
        const expected = pieces.map((p) => (p.rewritten ? p.rewritten(k++) : p.html)).join("\n");
        const out = rewriteLinks(input, { trackedUrl: urls.clickUrl });
        expect(out.html).toBe(expected);
        expect(out.links.map((l) => l.url)).toEqual(pieces.flatMap((p) => (p.tracked ? [p.tracked] : [])));
      }),
      { numRuns: 300 },
    );
  });
});
