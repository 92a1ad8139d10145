import { PoisonError } from "@pipekit/core";
import { formatPath } from "@pipekit/core/advanced";
import { BLOCKED_KEY } from "../detectors/detector-ids.js";
import { ReportBuilder } from "../redactor/redaction-report.js";
import {
  isRedactionToken,
  maskToken,
  type Pseudonymizer,
  type RedactionMode,
} from "../text/redaction-token.js";
import type { TextRedactor } from "../text/text-redactor.js";
import type { PathMatcher, PathSegment } from "./path-matcher.js";

export interface WalkSettings {
  readonly text: TextRedactor;
  readonly skip: PathMatcher;
  /** True when values under this key name are secrets. */
  readonly isBlockedKey: (key: string) => boolean;
  /** Mode for blocked keys; undefined when key blocking is off. */
  readonly blockMode: RedactionMode | undefined;
  readonly pseudonymizer: Pseudonymizer | undefined;
  /**
   * False to always parse, walk and re-serialise JSON found in strings (the reference path that
   * tests compare the in-place text path against). Default true.
   */
  readonly inPlaceJsonText?: boolean;
}

/** Deeper than this is a cycle or an attack, not an agent payload. */
const MAX_DEPTH = 256;
const REMOVE = Symbol("remove");
const STRING_LITERAL = /"(?:[^"\\]|\\.)*"/g;
/** Sticky: whitespace then ':' right after a literal makes it an object key. */
const KEY_COLON = /\s*:/y;
/**
 * JSON text without escapes, control characters or surrogates: each string literal is exactly its
 * value between quotes, and JSON.stringify would write that value back the same way.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON text must escape them; finding them is the point.
const NOT_PLAIN = /[\u0000-\u001f\\\ud800-\udfff]/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** How a value inside JSON text is treated, as visitObject/visitArray would decide. */
const NORMAL = 0;
const SKIPPED = 1;
const BLOCKED = 2;
type ScanMode = typeof NORMAL | typeof SKIPPED | typeof BLOCKED;
/** Objects with more keys go the parsed way (the duplicate-key check is quadratic). */
const MAX_SCANNED_KEYS = 64;

/** Progress of one in-place redaction of JSON text: `out` + json.slice(last) is the result. */
interface TextScan {
  readonly json: string;
  pos: number;
  out: string;
  last: number;
}

/**
 * Shorter texts are cheaper to scan again than to look up: most are skipped by the scanner's
 * short-text test (its SHORT_TEXT). Longer ones, even short e-mail addresses and phone numbers
 * repeated in every tool call, cost a full scan each time.
 */
const TEXT_MEMO_MIN_LENGTH = 14;

interface RedactedText {
  readonly text: string;
  readonly detectors: readonly string[];
}
const CLEAN = Symbol("clean");

/**
 * One redaction of one value. Copy-on-write: unchanged subtrees are returned as the same objects,
 * so a clean payload costs no allocation. JSON found inside strings (tool-call arguments, raw
 * request bodies) is parsed, walked with the same rules and re-serialised only if it changed.
 */
export class ValueWalker {
  readonly report = new ReportBuilder();
  private readonly path: PathSegment[] = [];
  /** Set while walking parsed JSON when a number would not survive re-serialisation. */
  private lossy = false;
  private inNestedJson = false;
  /** Validator results for this record (see TextHints.memo). */
  private readonly memo = new Map<string, boolean>();
  /** Long texts seen in this record: what they became (CLEAN: unchanged, nothing found). */
  private readonly textMemo = new Map<string, RedactedText | typeof CLEAN>();
  /** Detectors found in this record's texts so far (one array for the record: most texts find nothing). */
  private readonly found: string[] = [];
  private readonly onFinding = (detector: string) => {
    this.found.push(detector);
  };
  /** Key lists of the objects being scanned, one per nesting level, reused from object to object. */
  private readonly scannedKeys: string[][] = [];

  constructor(private readonly settings: WalkSettings) {}

  walk(value: unknown): unknown {
    return this.visit(value, 0);
  }

  private visit(value: unknown, depth: number): unknown {
    switch (typeof value) {
      case "string":
        return this.visitString(value, depth);
      case "number":
        if (this.inNestedJson && Number.isInteger(value) && !Number.isSafeInteger(value)) this.lossy = true;
        return value;
      case "object":
        if (value === null) return value;
        if (depth >= MAX_DEPTH) {
          throw new PoisonError(
            `redact: value nested deeper than ${MAX_DEPTH} levels at ${formatPath(this.path)}`,
          );
        }
        if (Array.isArray(value)) return this.visitArray(value, depth);
        if (isPlainObject(value)) return this.visitObject(value, depth);
        return value; // Dates, buffers…: not JSON text, left alone.
      default:
        return value;
    }
  }

  private visitString(value: string, depth: number): string {
    if (isRedactionToken(value)) return value;
    if (looksLikeJson(value)) {
      const nested = this.visitJsonString(value, depth);
      if (nested !== undefined) return nested;
    }
    return this.visitText(value);
  }

  /**
   * Agent payloads repeat their texts (each message is also inside the raw request, the answer
   * inside the raw response), so a long text is scanned once per record and the result reused.
   */
  private visitText(value: string): string {
    const memoize = value.length >= TEXT_MEMO_MIN_LENGTH;
    const known = memoize ? this.textMemo.get(value) : undefined;
    if (known === CLEAN) return value;
    if (known !== undefined) {
      this.reportFindings(known.detectors);
      return known.text;
    }
    // Findings are appended after those of earlier texts (resetting the array per text cost more
    // than the scan of a short one); only this text's part is taken.
    const found = this.found;
    const start = found.length;
    const text = this.settings.text.redact(value, this.memo, this.onFinding);
    // The text changes only where a detector found something, so no findings means unchanged.
    if (found.length === start) {
      if (memoize) this.textMemo.set(value, CLEAN);
      return value;
    }
    const detectors = found.slice(start);
    if (memoize) this.textMemo.set(value, { text, detectors });
    this.reportFindings(detectors);
    return text;
  }

  private reportFindings(detectors: readonly string[]): void {
    if (detectors.length === 0) return;
    const pathKey = formatPath(this.path);
    for (const detector of detectors) this.report.add(detector, pathKey);
  }

  /** The redacted JSON text, or undefined when `value` is not JSON (then it is treated as text). */
  private visitJsonString(value: string, depth: number): string | undefined {
    if (this.settings.inPlaceJsonText !== false) {
      const inPlace = this.redactJsonText(value, depth);
      if (inPlace !== undefined) return inPlace;
    }
    const parsed = parseContainer(value);
    if (parsed === undefined) return undefined;
    const outer = { lossy: this.lossy, inNested: this.inNestedJson };
    const mark = this.report.mark();
    this.lossy = false;
    this.inNestedJson = true;
    let lossy = false;
    try {
      const redacted = this.visit(parsed, depth + 1);
      if (redacted === parsed) return value;
      if (!this.lossy) return JSON.stringify(redacted);
      lossy = true;
    } finally {
      this.lossy = outer.lossy;
      this.inNestedJson = outer.inNested;
    }
    // Integers beyond 2^53 would change on re-serialisation: take back what the walk found and
    // redact the string literals of the text in place instead, leaving every number as written.
    this.report.rollback(mark);
    return lossy ? this.redactStringLiterals(value, depth) : value;
  }

  /**
   * JSON text in canonical JSON.stringify form (no whitespace, escapes, duplicate or integer-like
   * keys, numbers written as JavaScript writes them) is redacted where it stands: the same decisions
   * as parsing, walking and re-serialising it, hence the same result, without building the objects
   * or the new text. Undefined (with nothing reported) when the text is not in that form: the caller
   * then takes the parsed path, which also decides what is not JSON at all.
   */
  private redactJsonText(json: string, depth: number): string | undefined {
    const first = json.charCodeAt(0);
    if ((first !== 123 && first !== 91) || NOT_PLAIN.test(json)) return undefined;
    const mark = this.report.mark();
    const scan: TextScan = { json, pos: 0, out: "", last: 0 };
    if (!this.scanValue(scan, depth + 1, NORMAL) || scan.pos !== json.length) {
      this.report.rollback(mark);
      return undefined;
    }
    return scan.last === 0 ? json : scan.out + json.slice(scan.last);
  }

  /** One value of the JSON text at `scan.pos`; false when the text is not in canonical form. */
  private scanValue(scan: TextScan, depth: number, mode: ScanMode): boolean {
    const { json, pos } = scan;
    const c = json.charCodeAt(pos);
    if (c === 34 /* " */) {
      const end = json.indexOf('"', pos + 1);
      if (end < 0) return false;
      scan.pos = end + 1;
      if (mode === SKIPPED) return true;
      const decoded = json.slice(pos + 1, end);
      const redacted =
        mode === BLOCKED
          ? this.block(decoded, this.settings.blockMode!, depth)
          : this.visitString(decoded, depth);
      if (redacted === REMOVE) return false;
      if (redacted !== decoded) {
        scan.out += json.slice(scan.last, pos) + JSON.stringify(redacted);
        scan.last = end + 1;
      }
      return true;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      if (mode !== NORMAL || depth >= MAX_DEPTH) return false;
      return c === 123 ? this.scanObject(scan, depth) : this.scanArray(scan, depth);
    }
    const literal = c === 116 ? "true" : c === 102 ? "false" : c === 110 ? "null" : undefined;
    if (literal !== undefined) {
      if (!json.startsWith(literal, pos)) return false;
      scan.pos = pos + literal.length;
      return true;
    }
    if (mode === BLOCKED) return false; // a blocked number becomes a token: not a string literal
    NUMBER.lastIndex = pos;
    const number = NUMBER.exec(json)?.[0];
    if (number === undefined) return false;
    const n = Number(number);
    if (String(n) !== number) return false;
    // An integer beyond 2^53 sends the parsed walk to redactStringLiterals: let it.
    if (mode === NORMAL && Number.isInteger(n) && !Number.isSafeInteger(n)) return false;
    scan.pos = pos + number.length;
    return true;
  }

  private scanObject(scan: TextScan, depth: number): boolean {
    const { json } = scan;
    const { skip, isBlockedKey, blockMode } = this.settings;
    scan.pos++;
    if (json.charCodeAt(scan.pos) === 125 /* } */) {
      scan.pos++;
      return true;
    }
    let keys = this.scannedKeys[depth];
    if (keys === undefined) {
      keys = [];
      this.scannedKeys[depth] = keys;
    } else keys.length = 0;
    for (;;) {
      if (json.charCodeAt(scan.pos) !== 34) return false;
      const end = json.indexOf('"', scan.pos + 1);
      if (end < 0 || json.charCodeAt(end + 1) !== 58 /* : */) return false;
      const key = json.slice(scan.pos + 1, end);
      // JSON.parse puts integer-like keys first, and keeps only the last of duplicate keys.
      const k = key.charCodeAt(0);
      if ((k >= 48 && k <= 57) || keys.length >= MAX_SCANNED_KEYS || keys.includes(key)) return false;
      keys.push(key);
      scan.pos = end + 2;
      this.path.push(key);
      const mode: ScanMode =
        this.path.length <= skip.maxDepth && skip.matches(this.path)
          ? SKIPPED
          : blockMode !== undefined && isBlockedKey(key)
            ? BLOCKED
            : NORMAL;
      const ok = this.scanValue(scan, depth + 1, mode);
      this.path.pop();
      if (!ok) return false;
      const next = json.charCodeAt(scan.pos++);
      if (next === 125) return true;
      if (next !== 44 /* , */) return false;
    }
  }

  private scanArray(scan: TextScan, depth: number): boolean {
    const { json } = scan;
    scan.pos++;
    if (json.charCodeAt(scan.pos) === 93 /* ] */) {
      scan.pos++;
      return true;
    }
    for (let i = 0; ; i++) {
      this.path.push(i);
      const ok = this.scanValue(scan, depth + 1, this.settings.skip.matches(this.path) ? SKIPPED : NORMAL);
      this.path.pop();
      if (!ok) return false;
      const next = json.charCodeAt(scan.pos++);
      if (next === 93) return true;
      if (next !== 44) return false;
    }
  }

  /**
   * Each string literal of JSON text redacted where it stands: a key's literal is kept (and decides
   * whether the following string value is blocked), a value's literal goes through `visitString`.
   */
  private redactStringLiterals(json: string, depth: number): string {
    const { isBlockedKey, blockMode } = this.settings;
    let out = "";
    let last = 0;
    let blocked = false;
    // matchAll iterates over its own copy of the regex: visitString below may come back here
    // for JSON nested deeper, which would otherwise reset a shared lastIndex mid-loop.
    for (const m of json.matchAll(STRING_LITERAL)) {
      const literal = m[0];
      const end = m.index + literal.length;
      const decoded = JSON.parse(literal) as string;
      KEY_COLON.lastIndex = end;
      if (KEY_COLON.test(json)) {
        blocked = blockMode !== undefined && isBlockedKey(decoded);
        continue;
      }
      // (A removed value cannot take its key along here: it becomes "".)
      const redacted = blocked
        ? blockedText(this.block(decoded, blockMode!, depth + 1))
        : this.visitString(decoded, depth + 1);
      blocked = false;
      if (redacted === decoded) continue;
      out += json.slice(last, m.index) + JSON.stringify(redacted);
      last = end;
    }
    return last === 0 ? json : out + json.slice(last);
  }

  private visitArray(array: readonly unknown[], depth: number): unknown[] {
    let out: unknown[] | undefined;
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      this.path.push(i);
      const redacted = this.settings.skip.matches(this.path) ? item : this.visit(item, depth + 1);
      this.path.pop();
      if (redacted !== item) {
        out ??= array.slice();
        out[i] = redacted;
      }
    }
    return out ?? (array as unknown[]);
  }

  private visitObject(object: Record<string, unknown>, depth: number): Record<string, unknown> {
    let out: Record<string, unknown> | undefined;
    const { skip, isBlockedKey, blockMode } = this.settings;
    for (const key of Object.keys(object)) {
      const item = object[key];
      this.path.push(key);
      let redacted: unknown;
      if (this.path.length <= skip.maxDepth && skip.matches(this.path)) redacted = item;
      else if (blockMode !== undefined && isBlockedKey(key))
        redacted = this.block(item, blockMode, depth + 1);
      else redacted = this.visit(item, depth + 1);
      this.path.pop();
      if (redacted !== item) {
        out ??= { ...object };
        if (redacted === REMOVE) delete out[key];
        else if (key === "__proto__")
          Object.defineProperty(out, key, {
            value: redacted,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else out[key] = redacted;
      }
    }
    return out ?? object;
  }

  /** JSON text under a blocked key: every leaf is blocked and the text stays JSON. */
  private blockJsonString(value: string, mode: RedactionMode, depth: number): string | undefined {
    const parsed = parseContainer(value);
    if (parsed === undefined) return undefined;
    const blocked = this.block(parsed, mode, depth + 1);
    return blocked === parsed ? value : JSON.stringify(blocked);
  }

  /** A value under a blocked key: every string and number in it is a secret; booleans and null are kept. */
  private block(value: unknown, mode: RedactionMode, depth: number): unknown {
    if (value === null || typeof value === "boolean" || value === undefined) return value;
    if (typeof value === "string" && isRedactionToken(value)) return value;
    if (mode === "remove") {
      this.report.add(BLOCKED_KEY, formatPath(this.path));
      return REMOVE;
    }
    if (typeof value === "string" && looksLikeJson(value)) {
      const blocked = this.blockJsonString(value, mode, depth);
      if (blocked !== undefined) return blocked;
    }
    if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
      this.report.add(BLOCKED_KEY, formatPath(this.path));
      return mode === "hmac"
        ? this.settings.pseudonymizer!.token(BLOCKED_KEY, String(value))
        : maskToken(BLOCKED_KEY);
    }
    if (depth >= MAX_DEPTH) {
      throw new PoisonError(
        `redact: value nested deeper than ${MAX_DEPTH} levels at ${formatPath(this.path)}`,
      );
    }
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      value.forEach((item, i) => {
        this.path.push(i);
        const redacted = this.block(item, mode, depth + 1);
        this.path.pop();
        if (redacted !== item) {
          out ??= value.slice();
          out[i] = redacted;
        }
      });
      return out ?? value;
    }
    if (isPlainObject(value)) {
      let out: Record<string, unknown> | undefined;
      for (const key of Object.keys(value)) {
        this.path.push(key);
        const redacted = this.block(value[key], mode, depth + 1);
        this.path.pop();
        if (redacted !== value[key]) {
          out ??= { ...value };
          Object.defineProperty(out, key, {
            value: redacted,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
      }
      return out ?? value;
    }
    return value;
  }
}

function blockedText(value: unknown): string {
  return value === REMOVE ? "" : (value as string);
}

function parseContainer(value: string): object | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === "object" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Cheap shape test before paying for JSON.parse: `{…}` or `[…]` after trimming whitespace. */
function looksLikeJson(value: string): boolean {
  let start = 0;
  while (start < value.length && isSpace(value.charCodeAt(start))) start++;
  const first = value.charCodeAt(start);
  if (first !== 123 && first !== 91) return false;
  let end = value.length - 1;
  while (end > start && isSpace(value.charCodeAt(end))) end--;
  const last = value.charCodeAt(end);
  return (first === 123 && last === 125) || (first === 91 && last === 93);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
