import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomClusterId } from "../src/broker/cluster-id.js";
import { serverProperties } from "../src/broker/server-properties.js";
import { type KafkaBroker, startKafkaBroker } from "../src/index.js";

describe("serverProperties", () => {
  it("configures a single KRaft node on loopback with replication factor 1", () => {
    const text = serverProperties({ brokerPort: 1111, controllerPort: 2222, logDir: "/d/logs" });
    const props = Object.fromEntries(
      text
        .trim()
        .split("\n")
        .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    );
    expect(props["process.roles"]).toBe("broker,controller");
    expect(props["node.id"]).toBe("1");
    expect(props.listeners).toBe("PLAINTEXT://127.0.0.1:1111,CONTROLLER://127.0.0.1:2222");
    expect(props["controller.quorum.voters"]).toBe("1@127.0.0.1:2222");
    expect(props["offsets.topic.replication.factor"]).toBe("1");
    expect(props["transaction.state.log.replication.factor"]).toBe("1");
    expect(props["transaction.state.log.min.isr"]).toBe("1");
    expect(props["group.initial.rebalance.delay.ms"]).toBe("0");
    expect(props["log.dirs"]).toBe("/d/logs");
  });

  it("lets overrides replace defaults", () => {
    const text = serverProperties({
      brokerPort: 1,
      controllerPort: 2,
      logDir: "/x",
      overrides: { "num.partitions": 3, "message.max.bytes": 2048 },
    });
    expect(text).toMatch(/^num.partitions=3$/m);
    expect(text).not.toMatch(/^num.partitions=1$/m);
    expect(text).toContain("message.max.bytes=2048\n");
  });
});

describe("randomClusterId", () => {
  it("makes 22-character URL-safe ids that do not start with '-'", () => {
    const ids = new Set(Array.from({ length: 200 }, () => randomClusterId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});

describe("KafkaBroker (real JVM)", () => {
  let broker: KafkaBroker;

  beforeAll(async () => {
    broker = await startKafkaBroker();
  }, 600_000);

  afterAll(async () => {
    await broker?.stop();
  });

  it("serves produce and fetch, keeps the data across a restart on the same port, and stops", async () => {
    expect(broker.bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
    await broker.createTopics([{ topic: "testkit.roundtrip", numPartitions: 2 }]);
    const kafka = new Kafka({
      clientId: "testkit-test",
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: "testkit.roundtrip", messages: [{ value: "before-restart" }] });
    await producer.disconnect();

    const portBefore = broker.port;
    await broker.restart();
    expect(broker.port).toBe(portBefore);
    expect(broker.running).toBe(true);

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets("testkit.roundtrip");
    await admin.disconnect();
    const total = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    expect(total).toBe(1);

    await broker.stopProcess();
    expect(broker.running).toBe(false);
  });

  it("fails a start clearly when Java cannot be run, and starts again once it can", async () => {
    await broker.stopProcess();
    const javaHome = process.env.JAVA_HOME;
    process.env.JAVA_HOME = "/nonexistent-java-home";
    try {
      await expect(broker.startProcess()).rejects.toThrow(
        /^Cannot run Java \(\/nonexistent-java-home\/bin\/java\): .*ENOENT.*Java 17\+/,
      );
    } finally {
      if (javaHome === undefined) delete process.env.JAVA_HOME;
      else process.env.JAVA_HOME = javaHome;
    }
    await broker.stopProcess();
    await broker.startProcess();
    expect(broker.running).toBe(true);
  });
});
