import { createMessage, FatalError } from "@pipekit/core";
import { createKafkaTopics, TEST_SASL_USER } from "@pipekit/testkit-kafka";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createKafkaSink, type KafkaSink } from "../src/index.js";
import {
  consumeAll,
  openContext,
  recordingLogger,
  testContext,
  uniqueTopic,
} from "./support/kafka-test-helpers.js";

const bootstrap = inject("kafkaBootstrap");
const saslBootstrap = inject("kafkaSaslBootstrap");
const sinks: KafkaSink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

describe.each(["plain", "scram-sha-256", "scram-sha-512"] as const)("KafkaSink with SASL %s", (mechanism) => {
  it("authenticates and writes", async () => {
    const topic = uniqueTopic(`sasl.${mechanism}`);
    await createKafkaTopics(bootstrap, [topic]);
    const sink = createKafkaSink({ brokers: [saslBootstrap], topic, sasl: { mechanism, ...TEST_SASL_USER } });
    sinks.push(sink);
    await sink.open(openContext());
    await sink.write([createMessage("s1", { via: mechanism })], testContext());
    const [record] = await consumeAll(bootstrap, topic);
    expect(record?.value?.toString()).toBe(JSON.stringify({ via: mechanism }));
  });

  it("fails with a FatalError that does not reveal the password when the password is wrong", async () => {
    const password = "wrong-password-4711";
    const logger = recordingLogger();
    const sink = createKafkaSink({
      brokers: [saslBootstrap],
      sasl: { mechanism, username: TEST_SASL_USER.username, password },
    });
    sinks.push(sink);
    const error = await sink.open(openContext(logger)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalError);
    expect((error as Error).message).toMatch(/authentication failed/i);
    expect((error as Error).message).toContain(saslBootstrap);
    expect(JSON.stringify([(error as Error).message, logger.lines])).not.toContain(password);
  });
});
