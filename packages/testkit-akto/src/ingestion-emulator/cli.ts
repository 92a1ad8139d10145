/**
 * Run the Akto ingestion emulator on its own (for the demo):
 *   tsx packages/testkit-akto/src/ingestion-emulator/cli.ts [--port 9091] [--token <jwt>]
 *       [--kafka host:9092[,host2:9092]] [--topic akto.api.logs]
 * Prints its base URL as the first line on stdout; everything else goes to stderr.
 * The token may also come from AKTO_JWT_TOKEN so it need not appear in the process list.
 */
import { parseArgs } from "node:util";
import { startAktoIngestionEmulator } from "./emulator.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    token: { type: "string" },
    kafka: { type: "string" },
    topic: { type: "string" },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`--port: expected 0-65535, got ${values.port}\n`);
  process.exit(2);
}
const token = values.token ?? process.env.AKTO_JWT_TOKEN;
const emulator = await startAktoIngestionEmulator({
  host: values.host,
  port,
  ...(token ? { token } : {}),
  ...(values.kafka
    ? { kafka: { brokers: values.kafka.split(","), ...(values.topic ? { topic: values.topic } : {}) } }
    : {}),
});

process.stdout.write(`${emulator.url}\n`);
process.stderr.write(
  `Akto ingestion emulator at ${emulator.url} (auth ${token ? "on" : "off"}` +
    `${values.kafka ? `, forwarding to Kafka ${values.kafka}` : ""}); admin API under ${emulator.url}/__emulator/\n`,
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await emulator.close();
  process.stderr.write(`Akto ingestion emulator stopped after ${emulator.acceptedCount} records\n`);
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
