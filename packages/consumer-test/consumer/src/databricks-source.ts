// The installed Databricks source against the installed workspace emulator: real HTTPS with the
// emulator's CA, OAuth M2M, discovery through Unity Catalog and reads through @databricks/sql.
// Prints one JSON line the consumer test asserts on.
import type { AgentExecution } from "@pipekit/agent-execution";
import { runPipeline, silentLogger } from "@pipekit/core";
import { MemoryCheckpointStore, MemorySink } from "@pipekit/core/builtins";
import { redactTransform } from "@pipekit/redact";
import { createDatabricksSource } from "@pipekit/source-databricks";
import { startWorkspaceEmulator } from "@pipekit/testkit-databricks";

const now = Date.UTC(2026, 0, 15, 12, 0, 0);
const workspace = await startWorkspaceEmulator({ seed: 7, rowsPerTable: 12, agents: 1, now });
try {
  const executions = new MemorySink<AgentExecution>();
  const deadLetters = new MemorySink();
  const report = await runPipeline({
    source: createDatabricksSource(
      {
        host: workspace.url,
        clientId: workspace.credentials.clientId,
        clientSecret: workspace.credentials.clientSecret,
        caCert: workspace.caPem,
        safetyLagSeconds: 0,
      },
      { now: () => now },
    ),
    transforms: [redactTransform()],
    sinks: [{ id: "executions", sink: executions }],
    deadLetter: deadLetters,
    checkpointStore: new MemoryCheckpointStore(),
    logger: silentLogger,
  });
  const rows = workspace.manifest.tables.flatMap((table) => table.rows ?? []);
  console.log(
    JSON.stringify({
      delivered: executions.messages.map((m) => m.id).sort(),
      expected: rows
        .filter((row) => !row.malformed)
        .map((row) => row.id)
        .sort(),
      deadLettered: report.deadLettered,
      malformed: rows.filter((row) => row.malformed).length,
      platforms: [...new Set(executions.values.map((e) => e.platform))],
    }),
  );
} finally {
  await workspace.close();
}
