import { randomBytes } from "node:crypto";
import type { AgentExecution } from "@pipekit/agent-execution";
import { createMessage, PoisonError, runPipeline, type Source } from "@pipekit/core";
import { MemorySink } from "@pipekit/core/builtins";
import { createAktoHttpSink } from "@pipekit/sink-akto/http";
import { aktoMappingTransform } from "@pipekit/sink-akto/mapping";
import { checkAktoRecord, startAktoIngestionEmulator } from "@pipekit/testkit-akto";
import { createKafkaTopics } from "@pipekit/testkit-kafka";
import { describe, expect, inject, it } from "vitest";
import { createKafkaSink } from "../src/index.js";
import { consumeAll, testContext, uniqueTopic } from "./support/kafka-test-helpers.js";

const bootstrap = inject("kafkaBootstrap");
/** Kafka's stock `message.max.bytes` (the test broker does not change it): what a new topic takes. */
const STOCK_MAX_MESSAGE_BYTES = 1_048_588;

/** An agent call whose prompt is 3 MB of random base64: no codec shrinks it under 1 MB. */
function hugeExecution(): AgentExecution {
  const prompt = randomBytes(2_250_000).toString("base64");
  return {
    platform: "databricks",
    workspace: "adb-1.2.azuredatabricks.net",
    agent: { endpoint: "support-agent", model: "main.agents.support", modelVersion: "3" },
    requestId: "huge-1",
    table: "workspace.default.support_agent_payload",
    startTime: Date.UTC(2026, 11, 1, 12),
    statusCode: 200,
    status: "ok",
    payloadFormat: "chat-agent",
    input: [{ role: "user", content: prompt }],
    output: [{ role: "assistant", content: "Done." }],
    toolCalls: [],
    rawRequest: JSON.stringify({ messages: [{ role: "user", content: prompt }] }),
    rawResponse: JSON.stringify({ messages: [{ role: "assistant", content: "Done." }] }),
    attributes: {},
  };
}

function oneMessage(execution: AgentExecution): Source {
  return {
    type: "test_execution",
    async *read() {
      yield {
        messages: [createMessage(execution.requestId, execution)],
        checkpoint: { key: "x", position: 1 },
      };
    },
  };
}

describe("an execution larger than the Kafka topic takes", () => {
  it("arrives in Kafka fitted and marked truncated, and whole in Akto over HTTP", async () => {
    const topic = uniqueTopic("fit");
    await createKafkaTopics(bootstrap, [{ topic, numPartitions: 1 }]);
    const akto = await startAktoIngestionEmulator();
    const execution = hugeExecution();
    const deadLetters = new MemorySink();
    try {
      const report = await runPipeline({
        id: "fit-to-destination",
        source: oneMessage(execution),
        transforms: [aktoMappingTransform()],
        sinks: [
          { id: "kafka", sink: createKafkaSink({ brokers: [bootstrap], topic, compression: "gzip" }) },
          { id: "akto", sink: createAktoHttpSink({ url: akto.url }) },
        ],
        deadLetter: deadLetters,
      });
      expect(deadLetters.values).toEqual([]);
      expect(report.deadLettered).toBe(0);

      const [record, ...more] = await consumeAll(bootstrap, topic);
      expect(more).toEqual([]);
      expect(record!.value!.byteLength).toBeLessThanOrEqual(STOCK_MAX_MESSAGE_BYTES);
      // Most of what the topic allows is used: the prompt was cut, not dropped.
      expect(record!.value!.byteLength).toBeGreaterThan(STOCK_MAX_MESSAGE_BYTES - 1024);
      const inKafka = JSON.parse(record!.value!.toString("utf8")) as Record<string, string>;
      expect(checkAktoRecord(inKafka)).toEqual([]);
      // Its prompt ends in the mapping's marker, counting exactly the characters cut.
      const marker = /…\[TRUNCATED (\d+) chars\]$/.exec(inKafka.requestPayload!);
      expect(marker).not.toBeNull();
      const kept = inKafka.requestPayload!.slice(0, -marker![0].length);
      expect(kept.length + Number(marker![1])).toBe(execution.rawRequest.length);
      expect(execution.rawRequest.startsWith(kept)).toBe(true);
      expect(inKafka.responsePayload).toBe(execution.rawResponse);

      // Akto's own limits (5 MiB per string, 10 MiB per body) take the record as it is.
      expect(akto.records).toHaveLength(1);
      expect(akto.records[0]!.requestPayload).toBe(execution.rawRequest);
      expect(akto.records[0]!.responsePayload).toBe(execution.rawResponse);
    } finally {
      await akto.close();
    }
  });

  it("sends encoded text as it is, and reports a record that cannot be fitted as poison alone", async () => {
    const topic = uniqueTopic("encoded");
    await createKafkaTopics(bootstrap, [{ topic, numPartitions: 1 }]);
    const sink = createKafkaSink({ brokers: [bootstrap], topic, compression: "none", maxBatchBytes: 4096 });
    const trap = {
      toJSON() {
        throw new Error("the sink serialised a pre-encoded value");
      },
    };
    const text = '{"pre":"encoded"}';
    try {
      const result = await sink.write(
        [
          createMessage("fits", trap, {}, undefined, { text, bytes: text.length }),
          createMessage("unfittable", trap, {}, undefined, {
            text: "x".repeat(5000),
            bytes: 5000,
            fit: () => undefined,
          }),
          createMessage("shortened", trap, {}, undefined, {
            text: "y".repeat(5000),
            bytes: 5000,
            fit: (maxBytes) => ({
              text: "y".repeat(maxBytes),
              bytes: maxBytes,
              truncated: ["requestPayload"],
            }),
          }),
        ],
        testContext(),
      );
      const failed = result ? result.failed : [];
      expect(failed.map((f) => f.index)).toEqual([1]);
      expect(failed[0]!.error).toBeInstanceOf(PoisonError);
      expect(failed[0]!.error.message).toMatch(/'unfittable' .*cannot be shortened .*4096/);
      const values = (await consumeAll(bootstrap, topic)).map((r) => r.value!.toString("utf8"));
      expect(values[0]).toBe(text);
      // The fitted record uses what the topic takes, less the batch and record framing.
      expect(values[1]!.length).toBeGreaterThan(4096 - 128);
      expect(values[1]!.length).toBeLessThanOrEqual(4096);
      expect(values).toHaveLength(2);
    } finally {
      await sink.close();
    }
  });
});
