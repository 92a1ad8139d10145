import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from "yaml";

export type ConfigPath = readonly (string | number)[];

export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/**
 * Maps config paths back to positions in the YAML text. For a path whose last key is absent
 * (a missing required field) it points at the closest existing parent, which is where the field
 * has to be added.
 */
export class YamlPositions {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Position of the value at `path`, or of its nearest existing ancestor. */
  valueAt(path: ConfigPath): LineColumn {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.nodeAt(path.slice(0, depth));
      if (node?.range) return this.at(node.range[0]);
    }
    return { line: 1, column: 1 };
  }

  /** Position of the key itself (for "unknown key" issues); falls back to the value. */
  keyAt(path: ConfigPath): LineColumn {
    const parent = this.nodeAt(path.slice(0, -1));
    const last = path[path.length - 1];
    if (isMap(parent)) {
      for (const pair of parent.items) {
        if (isPair(pair) && isScalar(pair.key) && pair.key.value === last && pair.key.range) {
          return this.at(pair.key.range[0]);
        }
      }
    }
    return this.valueAt(path);
  }

  /**
   * The text of the value at `path` when YAML read an unquoted word as something other than a
   * string (`null`, `~`, `true`, `1.10`…), so a "expected string" problem can say to quote it.
   */
  unquotedNonString(path: ConfigPath): string | undefined {
    const node = this.nodeAt(path);
    if (!isScalar(node) || node.type !== "PLAIN" || typeof node.value === "string") return undefined;
    return typeof node.source === "string" ? node.source : String(node.value);
  }

  offsetToLineColumn(offset: number): LineColumn {
    return this.at(offset);
  }

  private at(offset: number): LineColumn {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  private nodeAt(path: ConfigPath): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
        node = pair?.value;
      } else if (isSeq(node) && typeof key === "number") {
        node = node.items[key];
      } else {
        return undefined;
      }
      if (node === undefined || node === null) return undefined;
    }
    return node as Node;
  }
}
