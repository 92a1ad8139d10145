/** Child entry of databricks-emulator.ts: starts the emulator, reports it, closes it on disconnect. */
import { startWorkspaceEmulator } from "@pipekit/testkit-databricks";
import {
  EMULATOR_OPTIONS_ENV,
  type EmulatorInfo,
  type EmulatorProcessOptions,
} from "./databricks-emulator.js";

const options = JSON.parse(process.env[EMULATOR_OPTIONS_ENV] ?? "{}") as EmulatorProcessOptions;
const ws = await startWorkspaceEmulator({
  seed: options.seed,
  agents: options.agents,
  rowsPerTable: options.rowsPerTable,
  // Huge tables list only counts: the manifest would otherwise hold every row.
  manifestRowLimit: 0,
  ...(options.resultFormat ? { resultFormat: options.resultFormat } : {}),
});
const info: EmulatorInfo = {
  url: ws.url,
  hostname: ws.hostname,
  port: ws.port,
  caPem: ws.caPem,
  httpPath: ws.httpPath,
  clientId: ws.credentials.clientId,
  clientSecret: ws.credentials.clientSecret,
  tables: ws.manifest.tables
    .filter((t) => t.kind === "ai_gateway_payload" || t.kind === "legacy_payload")
    // The seeder gives every table of 10+ rows exactly one malformed row.
    .map((t) => ({ fullName: t.fullName, rowCount: t.rowCount, malformed: t.rowCount >= 10 ? 1 : 0 })),
};
process.send?.(info);
process.on("disconnect", () => void ws.close().then(() => process.exit(0)));
