/**
 * `pnpm emulator`: runs the Databricks workspace emulator standalone until Ctrl-C.
 * Options: --seed N --rows N --agents N --port N --page-size N --token-ttl SECONDS
 */
import { parseArgs } from "node:util";
import { startWorkspaceEmulator } from "./emulator/start-workspace-emulator.js";

const { values } = parseArgs({
  // pnpm forwards a literal "--" before script arguments.
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    seed: { type: "string" },
    rows: { type: "string" },
    agents: { type: "string" },
    port: { type: "string" },
    "page-size": { type: "string" },
    "token-ttl": { type: "string" },
  },
});

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got "${value}"`);
    process.exit(2);
  }
  return n;
}

const started = Date.now();
const options = {
  seed: int("seed", values.seed),
  rowsPerTable: int("rows", values.rows),
  agents: int("agents", values.agents),
  port: int("port", values.port),
  pageSize: int("page-size", values["page-size"]),
  tokenTtlSeconds: int("token-ttl", values["token-ttl"]),
};
const ws = await startWorkspaceEmulator(
  Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
);
const payloadTables = ws.manifest.tables.filter((t) => t.kind.endsWith("_payload"));
// This prints the emulator's own throw-away credentials on purpose: that is what it is for.
console.log(`Databricks workspace emulator ready in ${Date.now() - started} ms
  DATABRICKS_HOST           ${ws.url}
  CA file (NODE_EXTRA_CA_CERTS / customCaCert)  ${ws.caFile}
  DATABRICKS_CLIENT_ID      ${ws.credentials.clientId}
  DATABRICKS_CLIENT_SECRET  ${ws.credentials.clientSecret}
  DATABRICKS_TOKEN (PAT)    ${ws.credentials.pat}
  SQL warehouse             ${ws.warehouseId}  (http path ${ws.httpPath})
  Catalog.schema            ${ws.manifest.catalog}.${ws.manifest.schema}
  Agents                    ${ws.manifest.agents.map((a) => `${a.endpoint} (${a.task})`).join(", ")}
  Payload tables            ${payloadTables.map((t) => `${t.name}=${t.rowCount}`).join(", ")}
  Admin                     ${ws.url}/__emulator/health  (faults: POST ${ws.url}/__emulator/faults)
Press Ctrl-C to stop.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await ws.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
