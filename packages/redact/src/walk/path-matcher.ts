export type PathSegment = string | number;

const ANY = Symbol("any");
type PatternSegment = string | number | typeof ANY;

/**
 * Matches value paths against patterns such as `requestId`, `agent.*`, `input[*].role`,
 * `toolCalls[0].name`. A pattern matches a path of the same length; `*` stands for any one key or
 * index. Matching a node skips its whole subtree, so `agent` and `agent.*` both keep the agent as is.
 */
export class PathMatcher {
  private readonly patterns: readonly PatternSegment[][];
  /** Paths deeper than this cannot match: the walker stops asking. */
  readonly maxDepth: number;

  constructor(patterns: readonly string[]) {
    this.patterns = patterns.map(parsePattern);
    this.maxDepth = Math.max(0, ...this.patterns.map((p) => p.length));
  }

  matches(path: readonly PathSegment[]): boolean {
    if (path.length > this.maxDepth) return false;
    outer: for (const pattern of this.patterns) {
      if (pattern.length !== path.length) continue;
      for (let i = 0; i < pattern.length; i++) {
        const p = pattern[i];
        if (p !== ANY && p !== path[i]) continue outer;
      }
      return true;
    }
    return false;
  }
}

function parsePattern(pattern: string): PatternSegment[] {
  const segments: PatternSegment[] = [];
  for (const part of pattern.split(".")) {
    const name = part.replace(/\[.*$/, "");
    if (name) segments.push(name === "*" ? ANY : name);
    for (const [, index] of part.matchAll(/\[(\d+|\*)\]/g)) {
      segments.push(index === "*" ? ANY : Number(index));
    }
  }
  return segments;
}
