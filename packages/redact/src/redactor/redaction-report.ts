/**
 * What a redaction did, without any matched value: counts per detector and per field path
 * (`input[0].content`; "(root)" for a bare string). Stored as `meta.redactions`.
 */
export interface RedactionReport {
  readonly total: number;
  readonly byDetector: Readonly<Record<string, number>>;
  readonly byPath: Readonly<Record<string, number>>;
}

/**
 * Findings are journalled and only counted in `build()`, so the walker can cheaply take back the
 * findings of a nested JSON document it decides to redact as plain text after all.
 */
export class ReportBuilder {
  private readonly detectors: string[] = [];
  private readonly paths: string[] = [];

  add(detector: string, path: string): void {
    this.detectors.push(detector);
    this.paths.push(path);
  }

  /** Position to roll back to. */
  mark(): number {
    return this.detectors.length;
  }

  rollback(mark: number): void {
    this.detectors.length = mark;
    this.paths.length = mark;
  }

  build(): RedactionReport {
    return { total: this.detectors.length, byDetector: countOf(this.detectors), byPath: countOf(this.paths) };
  }
}

/**
 * Null-prototype objects: a field named "__proto__" or "constructor" is just a key, and building
 * them skips the hidden-class transitions that dozens of distinct path keys would cost.
 */
function countOf(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = Object.create(null);
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}
