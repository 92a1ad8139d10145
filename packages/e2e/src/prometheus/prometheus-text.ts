import { parser } from "@prometheus-io/lezer-promql";
import { parse as parseYaml } from "yaml";

/** One sample line of a /metrics scrape. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a Prometheus text exposition (comments skipped; label values unescaped). */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(LABEL))
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** Grafana's template variables, replaced by values a PromQL parser accepts. */
function withoutGrafanaVariables(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, "5m").replace(/\$\{?(\w+)\}?/g, "$1");
}

/**
 * The metric names a PromQL expression selects, from Prometheus's own PromQL grammar: every
 * vector selector's name. Throws on an expression that does not parse.
 */
export function promqlMetricNames(expr: string): string[] {
  const source = withoutGrafanaVariables(expr);
  const names: string[] = [];
  parser.parse(source).iterate({
    enter: (node) => {
      if (node.type.isError) throw new Error(`PromQL does not parse at ${node.from}: ${expr}`);
      if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector")
        names.push(source.slice(node.from, node.to));
    },
  });
  return names;
}

/** Every expression of a Grafana dashboard (panels' targets, variables' queries) and of alert rules. */
export function dashboardExpressions(dashboardJson: string, alertRulesYaml: string): string[] {
  const dashboard = JSON.parse(dashboardJson) as {
    panels?: { targets?: { expr?: string }[] }[];
    templating?: { list?: { type?: string; query?: string | { query?: string } }[] };
  };
  const alerts = parseYaml(alertRulesYaml) as { groups: { rules: { expr: string }[] }[] };
  const fromPanels = (dashboard.panels ?? []).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ""));
  // Only query variables hold PromQL (a datasource variable's query is the plugin's name).
  const fromVariables = (dashboard.templating?.list ?? [])
    .filter((v) => v.type === "query")
    .map((v) => (typeof v.query === "string" ? v.query : (v.query?.query ?? "")));
  const fromAlerts = alerts.groups.flatMap((g) => g.rules.map((r) => r.expr));
  return [...fromPanels, ...fromAlerts, ...fromVariables.map(labelValuesSelector)].filter(
    (e) => e.trim() !== "",
  );
}

/** `label_values(metric{...}, label)` (a Grafana variable query) → its selector, which is PromQL. */
function labelValuesSelector(query: string): string {
  const m = /^label_values\((.*),\s*\w+\)$/.exec(query.trim());
  return m ? m[1]! : query;
}

/** The distinct metric names the dashboard and the alert rules reference. */
export function dashboardMetricNames(dashboardJson: string, alertRulesYaml: string): string[] {
  return [...new Set(dashboardExpressions(dashboardJson, alertRulesYaml).flatMap(promqlMetricNames))].sort();
}
