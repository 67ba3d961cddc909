// Maps a path inside a parsed definition back to a line and column of the YAML/JSON text it came
// from, including positions inside a template that sits in a block scalar.

import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
} from "yaml";
import type { PathSegment } from "./definitionError.ts";

export interface SourcePosition {
  line: number;
  column: number;
}

export interface SourceLocator {
  /**
   * Where the value at `path` is written (`part: "value"`) or where its key is (`part: "key"`).
   * A path that is not in the text (a missing key) resolves to the nearest written ancestor's key.
   */
  at(path: readonly PathSegment[], part?: "key" | "value"): SourcePosition;
  /** A 1-based line and column inside the string at `path` (a template's own error position). */
  inText(path: readonly PathSegment[], line: number, column: number): SourcePosition;
}

/** For definitions that never were text (JSON values sent to the API): every position is 0:0. */
export const NO_POSITIONS: SourceLocator = {
  at: () => ({ line: 0, column: 0 }),
  inText: () => ({ line: 0, column: 0 }),
};

interface Found {
  /** The deepest node reached along the path. */
  node: Node | null;
  /** The pair that holds `node` when it was reached through a mapping key. */
  pair: Pair<unknown, unknown> | null;
  /** Whether the whole path was found. */
  complete: boolean;
}

export function yamlLocator(doc: Document, text: string, lines: LineCounter): SourceLocator {
  const position = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line, column: col };
  };
  const startOf = (node: Node | null | undefined): number | null => {
    const range = node?.range;
    // An empty value (`email:` and nothing after) has an empty range just past the colon.
    if (!range || range[1] <= range[0]) return null;
    return range[0];
  };

  const find = (path: readonly PathSegment[]): Found => {
    let node = doc.contents as Node | null;
    let pair: Pair<unknown, unknown> | null = null;
    for (const segment of path) {
      const current = resolveAlias(doc, node);
      if (isMap(current)) {
        const next = current.items.find((p) => isPair(p) && keyText(p.key) === String(segment));
        if (!next) return { node: current, pair, complete: false };
        pair = next as Pair<unknown, unknown>;
        node = (next.value as Node | null) ?? null;
        if (node === null) return { node: current, pair, complete: false };
      } else if (isSeq(current) && typeof segment === "number") {
        const next = current.items[segment] as Node | undefined;
        if (!next) return { node: current, pair, complete: false };
        pair = null;
        node = next;
      } else {
        return { node: current, pair, complete: false };
      }
    }
    return { node, pair, complete: true };
  };

  const at = (path: readonly PathSegment[], part: "key" | "value" = "value"): SourcePosition => {
    const found = find(path);
    const keyStart = startOf(found.pair?.key as Node | undefined);
    // A problem with a whole mapping or list reads best at its key (`branch:`), a scalar's at the value.
    const collection = isMap(found.node) || isSeq(found.node);
    if (found.complete && part === "value" && !(collection && keyStart !== null)) {
      const valueStart = startOf(found.node);
      if (valueStart !== null) return position(valueStart);
    }
    if (keyStart !== null) return position(keyStart);
    return position(startOf(found.node) ?? 0);
  };

  const inText = (path: readonly PathSegment[], line: number, column: number): SourcePosition => {
    const found = find(path);
    const node = found.complete ? found.node : null;
    if (!isScalar(node) || !node.range) return at(path);
    const start = position(node.range[0]);
    switch (node.type) {
      case "BLOCK_LITERAL": {
        // The text begins on the line after the `|` header, indented by the block's indentation.
        const firstLine = start.line + line;
        return { line: firstLine, column: blockIndent(text, lines, start.line + 1) + column };
      }
      case "PLAIN":
      case "QUOTE_DOUBLE":
      case "QUOTE_SINGLE": {
        const source = text.slice(node.range[0], node.range[1]);
        // Only a one-line scalar maps columns one to one; folded lines would drift.
        if (line !== 1 || source.includes("\n")) return start;
        const quote = node.type === "PLAIN" ? 0 : 1;
        return { line: start.line, column: start.column + quote + column - 1 };
      }
      default:
        return start;
    }
  };

  return { at, inText };
}

function resolveAlias(doc: Document, node: Node | null): Node | null {
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? null;
  return node;
}

function keyText(key: unknown): string | null {
  if (isScalar(key)) return String(key.value);
  if (typeof key === "string" || typeof key === "number") return String(key);
  return null;
}

/** Spaces before the first non-blank line at or after `fromLine` (1-based): a block scalar's indentation. */
function blockIndent(text: string, lines: LineCounter, fromLine: number): number {
  for (let line = fromLine; line <= lines.lineStarts.length; line++) {
    const start = lines.lineStarts[line - 1] ?? text.length;
    const end = lines.lineStarts[line] ?? text.length;
    const content = text.slice(start, end).replace(/\r?\n$/, "");
    if (content.trim() === "") continue;
    return content.length - content.trimStart().length;
  }
  return 0;
}

/** The source text of the node at `path`, to recognise how a value was written (e.g. an unquoted `{{`). */
export function sourceTextAt(doc: Document, text: string, path: readonly PathSegment[]): string | null {
  let node = doc.contents as Node | null;
  for (const segment of path) {
    node = resolveAlias(doc, node);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(segment));
      node = (pair?.value as Node | null | undefined) ?? null;
    } else if (isSeq(node) && typeof segment === "number") {
      node = (node.items[segment] as Node | undefined) ?? null;
    } else {
      return null;
    }
  }
  const range = node?.range;
  return range ? text.slice(range[0], range[1]) : null;
}
