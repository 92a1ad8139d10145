import { parseArgs } from "node:util";
import { startKafkaBroker } from "./broker/kafka-broker.js";

/**
 * Runs a broker in the foreground for the demo:
 *   tsx packages/testkit-kafka/src/cli.ts [--port 9092] [--data-dir DIR] [--topic akto.api.logs]...
 * Prints `KAFKA_BROKER_HOST=127.0.0.1:PORT` once it serves requests; Ctrl-C / SIGTERM stops it.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      "data-dir": { type: "string" },
      topic: { type: "string", multiple: true },
      "kafka-version": { type: "string" },
    },
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new Error(`--port must be a TCP port number, got "${values.port}"`);
  }
  process.stderr.write("Starting Kafka (the first run downloads its jars from Maven Central)...\n");
  const broker = await startKafkaBroker({
    port,
    dataDir: values["data-dir"],
    kafkaVersion: values["kafka-version"],
  });
  const topics = values.topic ?? ["akto.api.logs"];
  await broker.createTopics(topics);
  process.stdout.write(`KAFKA_BROKER_HOST=${broker.bootstrap}\n`);
  process.stderr.write(
    `Kafka is up on ${broker.bootstrap} (topics: ${topics.join(", ")}); logs in ${broker.logFile}\n`,
  );

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await broker.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
