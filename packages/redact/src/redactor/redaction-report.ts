/**
 * What a redaction did, without any matched value: counts per detector and per field path
 * (`input[0].content`; "(root)" for a bare string). Stored as `meta.redactions`.
 */
export interface RedactionReport {
  readonly total: number;
  readonly byDetector: Readonly<Record<string, number>>;
  readonly byPath: Readonly<Record<string, number>>;
}

export class ReportBuilder {
  total = 0;
  // Null-prototype maps: a field named "__proto__" or "constructor" is just a key here.
  readonly byDetector: Record<string, number> = Object.create(null);
  readonly byPath: Record<string, number> = Object.create(null);

  add(detector: string, path: string, count = 1): void {
    this.total += count;
    this.byDetector[detector] = (this.byDetector[detector] ?? 0) + count;
    this.byPath[path] = (this.byPath[path] ?? 0) + count;
  }

  merge(other: ReportBuilder): void {
    this.total += other.total;
    for (const [k, n] of Object.entries(other.byDetector)) this.byDetector[k] = (this.byDetector[k] ?? 0) + n;
    for (const [k, n] of Object.entries(other.byPath)) this.byPath[k] = (this.byPath[k] ?? 0) + n;
  }

  build(): RedactionReport {
    return { total: this.total, byDetector: { ...this.byDetector }, byPath: { ...this.byPath } };
  }
}
