// `pnpm run dashboard:render`: runs the real databricks-shield pipeline as a service (`pipeline
// run`) against the workspace and Akto emulators for about a minute — new rows arrive, Akto is down
// for a while — scrapes /metrics every second, and draws the Grafana dashboard's panels from those
// samples into docs/operations/dashboard.png.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startAktoIngestionEmulator } from "@pipekit/testkit-akto";
import { startWorkspaceEmulator } from "@pipekit/testkit-databricks";
import { parse, stringify } from "yaml";
import { REPO_ROOT, runShield, startPipeline } from "../process/runner-process.js";
import { waitFor } from "../process/wait-for.js";
import { parsePrometheusText } from "../prometheus/prometheus-text.js";
import type { Scrape } from "./panel-series.js";
import { renderDashboardPng } from "./render-panels.js";

const SCRAPES = 75;
const DASHBOARD = join(REPO_ROOT, "apps/databricks-shield/deploy/grafana-dashboard.json");
const OUTPUT = join(REPO_ROOT, "docs/operations/dashboard.png");
const TOKEN = "eyJhbGciOiJIUzI1NiJ9.dashboard-render.c2lnbmF0dXJl";

const ws = await startWorkspaceEmulator({
  seed: 8,
  rowsPerTable: 80,
  agents: 1,
  now: Date.now() - 120_000,
  windowMinutes: 50,
});
const akto = await startAktoIngestionEmulator({ token: TOKEN });
const stateDir = mkdtempSync(join(tmpdir(), "pipekit-dashboard-"));
const env = {
  DATABRICKS_HOST: ws.url,
  DATABRICKS_CLIENT_ID: ws.credentials.clientId,
  DATABRICKS_CLIENT_SECRET: ws.credentials.clientSecret,
  DATABRICKS_CA_CERT_FILE: ws.caFile,
  DATA_INGESTION_SERVICE_URL: akto.url,
  AKTO_JWT_TOKEN: TOKEN,
  SHIELD_STATE_DIR: stateDir,
  RECURRING_INTERVAL_SECONDS: "3",
};
const tables = ws.manifest.tables
  .filter((t) => t.kind === "ai_gateway_payload" || t.kind === "legacy_payload")
  .map((t) => t.fullName);
try {
  const printed = await runShield(["--print-pipeline"], env);
  if (printed.code !== 0) throw new Error(printed.stderr);
  const config = parse(printed.stdout) as { http?: unknown; sinks: { id: string; retry?: unknown }[] };
  config.http = { port: 0, host: "127.0.0.1" };
  for (const sink of config.sinks)
    if (sink.id === "akto")
      sink.retry = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 500, maxElapsedMs: 2_000 };
  const file = join(stateDir, "pipeline.yaml");
  writeFileSync(file, stringify(config));
  const service = startPipeline(["run", file, "--no-progress"], env);
  let port = 0;
  await waitFor(
    () => {
      port = Number(/"port":(\d+)[^\n]*serving \/healthz/.exec(service.stdout)?.[1] ?? 0);
      if (service.hasExited) throw new Error(`the service exited: ${service.stderr.slice(-2000)}`);
      return port > 0;
    },
    "the service's port",
    60_000,
  );
  const scrapes: Scrape[] = [];
  for (let i = 0; i < SCRAPES; i++) {
    if (i === 15) await ws.insertLateRows(40, { table: tables[0]!, minutesAgo: 1 });
    if (i === 30) akto.faults.inject({ kind: "status", status: 503, count: 1_000_000 });
    if (i === 33) await ws.insertLateRows(20, { table: tables.at(-1)!, minutesAgo: 1 });
    if (i === 45) akto.faults.clear();
    if (i === 55) await ws.insertLateRows(30, { table: tables[0]!, minutesAgo: 1 });
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    scrapes.push({ t: Date.now(), samples: parsePrometheusText(text) });
    // A scrape interval, as Prometheus keeps one (sampling, not synchronisation).
    await new Promise((r) => setTimeout(r, 1_000));
  }
  await service.terminate();
  const caption = `Drawn by pnpm run dashboard:render from ${scrapes.length} scrapes of a real pipeline run (1 s apart; new rows at 15 s, 33 s and 55 s; Akto answering 503 from 30 s to 45 s)`;
  mkdirSync(dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, renderDashboardPng(readFileSync(DASHBOARD, "utf8"), scrapes, caption));
  process.stdout.write(`wrote ${OUTPUT}\n`);
} finally {
  await akto.close();
  await ws.close();
  rmSync(stateDir, { recursive: true, force: true });
}
