import { ComponentRegistry, ConfigError, createMessage } from "@pipekit/core";
import { describe, expect, it } from "vitest";
import {
  createKafkaSink,
  DEFAULT_TOPIC,
  deadLetterEncoder,
  encodeValue,
  kafkaDeadLetterSinkComponent,
  kafkaSinkComponent,
  valueEncoder,
} from "../src/index.js";
import { recordingLogger } from "./support/kafka-test-helpers.js";

function registry(): ComponentRegistry {
  return new ComponentRegistry().register(kafkaSinkComponent).register(kafkaDeadLetterSinkComponent);
}

describe("kafka sink config", () => {
  it("applies the defaults: topic akto.api.logs, no key, gzip, idempotent settings are not configurable", () => {
    const config = registry().parse("sink", "kafka", { brokers: ["kafka:9092"] });
    expect(config).toMatchObject({
      topic: DEFAULT_TOPIC,
      key: "none",
      compression: "gzip",
      clientId: "pipekit",
    });
    expect(DEFAULT_TOPIC).toBe("akto.api.logs");
    expect(() => registry().parse("sink", "kafka", { brokers: ["kafka:9092"], idempotent: false })).toThrow(
      ConfigError,
    );
  });

  it("points at the bad field when config is wrong", () => {
    const error = (() => {
      try {
        registry().parse("sink", "kafka", { brokers: ["kafka"], compression: "lz4" }, [
          "pipeline",
          "sinks",
          0,
        ]);
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const paths = error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(
      expect.arrayContaining(["pipeline.sinks.0.brokers.0", "pipeline.sinks.0.compression"]),
    );
    expect(error!.message).toContain('must be "host:port"');
  });

  it("accepts SSL and the three SASL mechanisms, and lists the secret fields", () => {
    for (const mechanism of ["plain", "scram-sha-256", "scram-sha-512"]) {
      expect(() =>
        registry().parse("sink", "kafka", {
          brokers: ["b:9093"],
          ssl: { rejectUnauthorized: false },
          sasl: { mechanism, username: "u", password: "p" },
        }),
      ).not.toThrow();
    }
    expect(() =>
      registry().parse("sink", "kafka", {
        brokers: ["b:9093"],
        sasl: { mechanism: "gssapi", username: "u", password: "p" },
      }),
    ).toThrow(ConfigError);
    expect(kafkaSinkComponent.secretFields).toContain("sasl.password");
  });

  it("creates sinks through the registry and directly", async () => {
    const sink = await registry().create(
      "sink",
      "kafka",
      { brokers: ["127.0.0.1:1"] },
      { logger: recordingLogger(), baseDir: "." },
    );
    expect((sink as { type: string }).type).toBe("kafka");
    expect(createKafkaSink({ brokers: ["127.0.0.1:1"] }).type).toBe("kafka");
    expect(() => createKafkaSink({ brokers: [] })).toThrow();
  });
});

describe("record encoding", () => {
  it("writes strings and bytes as they are and everything else as JSON", () => {
    expect(encodeValue("é", "m")).toBe("é");
    const bytes = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    expect(Buffer.from(encodeValue(bytes, "m"))).toEqual(Buffer.from([2, 3]));
    expect(encodeValue({ a: [1, null] }, "m")).toBe('{"a":[1,null]}');
    expect(() => encodeValue(undefined, "m-1")).toThrow("message 'm-1' has no value");
    expect(() => encodeValue(10n, "m-2")).toThrow(/message 'm-2' cannot be serialised as JSON/);
  });

  it("keys by id only when asked", () => {
    const m = createMessage("req-9", { x: 1 });
    expect(valueEncoder({ key: "none" })(m)).toEqual({ value: '{"x":1}' });
    expect(valueEncoder({ key: "id" })(m)).toEqual({ key: "req-9", value: '{"x":1}' });
  });

  it("writes a non-dead-letter value to the dead-letter topic whole", () => {
    expect(deadLetterEncoder()(createMessage("z", { some: "thing" }))).toEqual({
      key: "z",
      value: '{"some":"thing"}',
    });
  });
});
