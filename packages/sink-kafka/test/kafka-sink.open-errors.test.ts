import { createServer } from "node:net";
import { FatalError, RetryableError } from "@pipekit/core";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createKafkaSink, type KafkaSink } from "../src/index.js";
import { openContext } from "./support/kafka-test-helpers.js";

const bootstrap = inject("kafkaBootstrap");
const sinks: KafkaSink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

/** A port nothing listens on: bound by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  return typeof address === "object" && address ? address.port : 0;
}

describe("KafkaSink.open", () => {
  it("names the topic and broker when the topic does not exist", async () => {
    const sink = createKafkaSink({ brokers: [bootstrap], topic: "no.such.topic" });
    sinks.push(sink);
    const error = await sink.open(openContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalError);
    expect((error as Error).message).toBe(`Kafka topic 'no.such.topic' does not exist on ${bootstrap}`);
  });

  it("says it cannot reach the broker when nothing listens there", async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    const sink = createKafkaSink({ brokers: [address], retries: 1, initialRetryTimeMs: 50 });
    sinks.push(sink);
    const error = await sink.open(openContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(new RegExp(`^Cannot reach Kafka broker\\(s\\) ${address}: `));
    expect((error as Error).message).toMatch(/ECONNREFUSED|Connection error/);
    expect(await sink.health()).toMatchObject({ ok: false });
  });
});
