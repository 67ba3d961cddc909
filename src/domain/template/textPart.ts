// Writes the two bodies of an email from one source: HTML via marked for Markdown, and a
// text/plain part a person would have typed, rather than HTML with the tags stripped.

import { convert, type HtmlToTextOptions } from "html-to-text";
import { Marked, type MarkedToken, type Token, type Tokens } from "marked";

/**
 * GFM, and `breaks` because people write emails line by line: "Best,\nAnn" must stay two lines
 * in the HTML part as it is in the text part.
 */
const markdown = new Marked({ gfm: true, breaks: true, async: false });

export function markdownToHtml(source: string): string {
  return markdown.parse(source, { async: false }).trim();
}

/**
 * html-to-text tuned for a sales email's text part:
 * - wrap at 78 columns (RFC 5322's recommended line length);
 * - links as "text (url)", the same as our Markdown text part, and only the URL when the text
 *   is the URL (or the address of a mailto link); in-page anchors lose their "#top" noise;
 * - images dropped: a logo or tracking pixel has nothing to say in plain text;
 * - headings keep their case: upper-casing them reads as shouting in a personal email.
 */
const HTML_TO_TEXT: HtmlToTextOptions = {
  wordwrap: 78,
  selectors: [
    {
      selector: "a",
      options: {
        linkBrackets: ["(", ")"],
        hideLinkHrefIfSameAsText: true,
        noAnchorUrl: true,
        pathRewrite: (path: string) => path.replace(/^mailto:/i, ""),
      },
    },
    { selector: "img", format: "skip" },
    { selector: "style", format: "skip" },
    { selector: "script", format: "skip" },
    { selector: "head", format: "skip" },
    { selector: "ul", options: { itemPrefix: "- " } },
    ...(["h1", "h2", "h3", "h4", "h5", "h6"] as const).map((selector) => ({
      selector,
      options: { uppercase: false },
    })),
    { selector: "table", format: "dataTable", options: { uppercaseHeaderCells: false } },
  ],
};

export function htmlToText(html: string): string {
  return convert(html, HTML_TO_TEXT).trim();
}

/**
 * The text part of a Markdown email, written from marked's tokens: emphasis markers go, links
 * read "text (url)", lists keep their bullets and numbers, quotes keep "> ", images are
 * dropped, and the author's own line breaks stay where they were.
 */
export function markdownToText(source: string): string {
  return blocksText(markdown.lexer(source)).trim();
}

function blocksText(tokens: Token[]): string {
  const parts: string[] = [];
  for (const token of tokens) {
    const text = blockText(token as MarkedToken);
    if (text.trim() !== "") parts.push(text.replace(/\s+$/, ""));
  }
  return parts.join("\n\n");
}

function blockText(token: MarkedToken): string {
  switch (token.type) {
    case "paragraph":
    case "heading":
      return inlineText(token.tokens);
    case "text":
      return token.tokens ? inlineText(token.tokens) : decodeEntities(token.text);
    case "code":
      return token.text;
    case "blockquote":
      return blocksText(token.tokens)
        .split("\n")
        .map((line) => (line === "" ? ">" : `> ${line}`))
        .join("\n");
    case "list":
      return listText(token);
    case "table":
      return [token.header, ...token.rows]
        .map((row) => row.map((cell) => inlineText(cell.tokens)).join(" | "))
        .join("\n");
    case "hr":
      return "----";
    case "html":
      return htmlToText(token.text);
    case "space":
    case "def":
      return "";
    default:
      return "raw" in token ? token.raw : "";
  }
}

function listText(list: Tokens.List): string {
  const first = typeof list.start === "number" ? list.start : 1;
  const items = list.items.map((item, index) => {
    const bullet = list.ordered ? `${first + index}. ` : "- ";
    const checkbox = item.task ? (item.checked ? "[x] " : "[ ] ") : "";
    const body = blocksText(item.tokens.filter((t) => t.type !== "checkbox"));
    // Continuation lines (and nested lists) line up under the item's text.
    const indent = " ".repeat(bullet.length);
    return `${bullet}${checkbox}${body.split("\n").join(`\n${indent}`)}`;
  });
  return items.join(list.loose ? "\n\n" : "\n");
}

function inlineText(tokens: Token[]): string {
  let out = "";
  for (const token of tokens as MarkedToken[]) {
    switch (token.type) {
      case "text":
        out += token.tokens ? inlineText(token.tokens) : decodeEntities(token.text);
        break;
      case "escape":
      case "codespan":
        out += token.text;
        break;
      case "strong":
      case "em":
      case "del":
        out += inlineText(token.tokens);
        break;
      case "br":
        out += "\n";
        break;
      case "link":
        out += linkText(token);
        break;
      case "image":
        break;
      case "html":
        if (/^<br\s*\/?>$/i.test(token.text)) out += "\n";
        break;
      case "checkbox":
        out += token.checked ? "[x] " : "[ ] ";
        break;
      default:
        out += blockText(token);
    }
  }
  return out;
}

function linkText(link: Tokens.Link): string {
  const label = inlineText(link.tokens).trim();
  const target = link.href.replace(/^mailto:/i, "");
  if (label === "" || label === link.href || label === target) return target;
  return `${label} (${target})`;
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};

/** Authors sometimes type `&amp;` in Markdown; the text part shows what the HTML part shows. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body.startsWith("#")) {
      const code =
        body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}
