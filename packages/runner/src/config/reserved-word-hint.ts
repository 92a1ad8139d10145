import type { ConfigPath, YamlPositions } from "./yaml-positions.js";

/**
 * YAML reads some unquoted words as other things than strings: `type: null` is a null, `id: 0123`
 * a number, `name: true` a boolean. The schema's "expected string, found null" is right but does
 * not say why; when the value at `path` was such an unquoted word, say how to write it.
 */
export function withQuoteHint(
  message: string,
  path: ConfigPath,
  positions: YamlPositions,
  secret: boolean,
): string {
  if (!message.startsWith("expected string")) return message;
  const word = positions.unquotedNonString(path);
  if (word === undefined) return message;
  const key = path[path.length - 1];
  // A secret's value is never echoed, not even to show how to quote it.
  const quoted = secret ? '"…"' : JSON.stringify(word);
  const example = typeof key === "string" ? `${key}: ${quoted}` : quoted;
  const what = secret ? "the unquoted value" : `an unquoted ${word}`;
  return `${message}: YAML reads ${what} as ${describe(word)}; quote it: ${example}`;
}

function describe(word: string): string {
  if (/^(null|Null|NULL|~)$/.test(word)) return "null";
  if (/^(true|True|TRUE|false|False|FALSE)$/.test(word)) return "a boolean";
  return "a number";
}
