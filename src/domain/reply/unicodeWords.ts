// JavaScript's `\b` only knows ASCII letters, so "\bça" or "intéressé\b" never match. Rewrites
// every `\b` in a pattern into a boundary between letters or digits of any script and the rest.

const UNICODE_BOUNDARY = String.raw`(?:(?<=[\p{L}\p{N}_])(?![\p{L}\p{N}_])|(?<![\p{L}\p{N}_])(?=[\p{L}\p{N}_]))`;

export function unicodeWords(pattern: RegExp): RegExp {
  const flags = pattern.flags.includes("u") ? pattern.flags : `${pattern.flags}u`;
  return new RegExp(pattern.source.replaceAll(String.raw`\b`, UNICODE_BOUNDARY), flags);
}
