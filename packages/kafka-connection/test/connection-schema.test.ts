import { describe, expect, it } from "vitest";
import { z } from "zod";
import { KAFKA_SECRET_FIELDS, kafkaConnectionSchema, kafkaConnectionShape } from "../src/index.js";

const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

describe("kafka connection settings", () => {
  it("applies the defaults, which a package can change for itself", () => {
    expect(kafkaConnectionSchema.parse({ brokers: ["kafka:9092"] })).toEqual({
      brokers: ["kafka:9092"],
      clientId: "pipekit",
      connectionTimeoutMs: 3_000,
      requestTimeoutMs: 30_000,
      retries: 3,
      initialRetryTimeMs: 200,
    });
    const own = z.object(kafkaConnectionShape({ clientId: "mine", retries: 5 })).strict();
    expect(own.parse({ brokers: ["kafka:9092"] })).toMatchObject({ clientId: "mine", retries: 5 });
  });

  it("accepts TLS (on, or with CA and client certificate) and the three SASL mechanisms", () => {
    expect(kafkaConnectionSchema.parse({ brokers: ["b:9093"], ssl: true }).ssl).toBe(true);
    const ssl = { ca: pem, cert: pem, key: "-----BEGIN PRIVATE KEY-----", servername: "kafka.internal" };
    expect(kafkaConnectionSchema.parse({ brokers: ["b:9093"], ssl }).ssl).toEqual({
      ...ssl,
      rejectUnauthorized: true,
    });
    for (const mechanism of ["plain", "scram-sha-256", "scram-sha-512"]) {
      const sasl = { mechanism, username: "u", password: "p" };
      expect(kafkaConnectionSchema.parse({ brokers: ["b:9093"], ssl: true, sasl }).sasl).toEqual(sasl);
    }
  });

  it("rejects an unsupported SASL mechanism, naming the ones it accepts", () => {
    const result = kafkaConnectionSchema.safeParse({
      brokers: ["b:9093"],
      sasl: { mechanism: "gssapi", username: "u", password: "p" },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ["sasl", "mechanism"],
        message: "expected one of plain, scram-sha-256, scram-sha-512",
      }),
    ]);
  });

  it("rejects bad brokers, unknown TLS keys and empty credentials at their field", () => {
    const result = kafkaConnectionSchema.safeParse({
      brokers: ["kafka"],
      ssl: { verify: false },
      sasl: { mechanism: "plain", username: "", password: "" },
    });
    const paths = result.error?.issues.map((i) => i.path.join(".")) ?? [];
    expect(paths).toEqual(expect.arrayContaining(["brokers.0", "ssl", "sasl.username", "sasl.password"]));
    expect(result.error?.issues.find((i) => i.path.join(".") === "brokers.0")?.message).toContain(
      'must be "host:port"',
    );
  });

  it("names the secret fields for the runner's scrubber", () => {
    expect(KAFKA_SECRET_FIELDS).toEqual(["sasl.password", "ssl.key"]);
  });
});
