import type { Sample } from "../prometheus/prometheus-text.js";
import { promqlMetricNames } from "../prometheus/prometheus-text.js";

/** One scrape of /metrics at time `t` (epoch ms). */
export interface Scrape {
  readonly t: number;
  readonly samples: readonly Sample[];
}

export interface Series {
  readonly label: string;
  readonly points: readonly { readonly t: number; readonly v: number }[];
}

/**
 * A picture of a panel from raw scrapes, not a PromQL engine: the target's first selected metric,
 * its exact-match label filters, grouped by the labels its legend names; `rate`/`increase` become
 * per-scrape deltas, `histogram_quantile` is taken over each interval's bucket deltas, `time() - x`
 * is the age of a timestamp gauge, anything else is the gauge's value. Enough for the shapes of the
 * dashboard's own panels.
 */
export function panelSeries(expr: string, legend: string, scrapes: readonly Scrape[]): Series[] {
  const name = promqlMetricNames(expr)[0];
  if (name === undefined) return [];
  const matchers = [...(/\{([^}]*)\}/.exec(expr)?.[1] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [
    m[1]!,
    m[2]!,
  ]);
  const groupBy = [...legend.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!);
  const labelOf = (s: Sample) =>
    groupBy.length ? legend.replace(/\{\{(\w+)\}\}/g, (_, l: string) => s.labels[l] ?? "") : legend;
  const selected = (scrape: Scrape, metric: string) =>
    scrape.samples.filter((s) => s.name === metric && matchers.every(([k, v]) => s.labels[k!] === v));
  const quantile = /histogram_quantile\(([\d.]+)/.exec(expr);
  const counter = /\b(rate|increase)\(/.exec(expr);
  const groups = new Map<string, { t: number; v: number }[]>();
  const push = (label: string, t: number, v: number) => {
    if (!Number.isFinite(v)) return;
    const points = groups.get(label) ?? [];
    points.push({ t, v });
    groups.set(label, points);
  };
  for (let i = 0; i < scrapes.length; i++) {
    const now = scrapes[i]!;
    const before = scrapes[i - 1];
    if (quantile) {
      if (!before) continue;
      const q = Number(quantile[1]);
      const buckets = new Map<number, number>();
      for (const s of selected(now, name)) {
        const le = s.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(s.labels.le);
        const prev = selected(before, name).find((p) => sameSeries(p, s))?.value ?? 0;
        buckets.set(le, (buckets.get(le) ?? 0) + s.value - prev);
      }
      const v = bucketQuantile(q, buckets);
      if (v !== undefined) push(legend, now.t, v);
      continue;
    }
    const sums = new Map<string, number>();
    for (const s of selected(now, name)) {
      let v = s.value;
      if (counter) {
        if (!before) continue;
        const prev = selected(before, name).find((p) => sameSeries(p, s))?.value ?? 0;
        v = s.value - prev;
        if (counter[1] === "rate") v /= (now.t - before.t) / 1000;
      } else if (/time\(\)\s*-/.test(expr)) v = now.t / 1000 - s.value;
      const label = labelOf(s);
      sums.set(label, /^\s*max/.test(expr) ? Math.max(sums.get(label) ?? v, v) : (sums.get(label) ?? 0) + v);
    }
    for (const [label, v] of sums) push(label, now.t, v);
  }
  return [...groups].map(([label, points]) => ({ label, points }));
}

function sameSeries(a: Sample, b: Sample): boolean {
  const keys = new Set([...Object.keys(a.labels), ...Object.keys(b.labels)]);
  for (const k of keys) if (a.labels[k] !== b.labels[k]) return false;
  return true;
}

/** Prometheus's histogram_quantile: linear interpolation inside the bucket the rank falls in. */
function bucketQuantile(q: number, buckets: ReadonlyMap<number, number>): number | undefined {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lower;
      return lower + ((le - lower) * (rank - below)) / Math.max(count - below, 1e-9);
    }
    lower = le;
    below = count;
  }
  return lower;
}
