import type { Logger } from "@pipekit/core";
import { logLevel } from "kafkajs";
import { describe, expect, it } from "vitest";
import { kafkajsLogCreator } from "../src/index.js";

function recording() {
  const entries: { level: string; msg: string }[] = [];
  const at =
    (level: string) =>
    (_fields: unknown, msg?: string): void => {
      entries.push({ level, msg: msg ?? "" });
    };
  const logger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => logger,
  } as unknown as Logger;
  return { entries, logger };
}

const entry = (level: logLevel, message: string, fields: Record<string, unknown> = {}) => ({
  namespace: "Connection",
  level,
  label: "ERROR",
  log: { timestamp: "t", logger: "kafkajs", message, ...fields },
});

describe("kafkajs log routing", () => {
  it("demotes broker answers kafkajs retries itself, keeps real errors and warnings", () => {
    const { entries, logger } = recording();
    const log = kafkajsLogCreator(logger, ["Limiting retries for the idempotent producer"])(logLevel.WARN);
    log(
      entry(logLevel.ERROR, "Response JoinGroup(key: 11, version: 5)", {
        error: "The coordinator is loading and hence can't process requests for this group",
      }),
    );
    log(
      entry(logLevel.ERROR, "Response Produce(key: 0, version: 7)", {
        error: "Not authorized to access topics: [Topic authorization failed]",
      }),
    );
    log(entry(logLevel.WARN, "Limiting retries for the idempotent producer"));
    log(entry(logLevel.WARN, "Connection timeout"));
    expect(entries).toEqual([
      { level: "debug", msg: "Response JoinGroup(key: 11, version: 5)" },
      { level: "error", msg: "Response Produce(key: 0, version: 7)" },
      { level: "debug", msg: "Limiting retries for the idempotent producer" },
      { level: "warn", msg: "Connection timeout" },
    ]);
  });

  it("demotes only the caller's routine messages, matched as prefixes, and drops stacks", () => {
    const fields: unknown[] = [];
    const { entries, logger } = recording();
    const spy = {
      ...logger,
      error: (f: object, msg?: string) => {
        fields.push(f);
        logger.error(f, msg);
      },
    };
    const log = kafkajsLogCreator(spy as Logger, ["The group is rebalancing"])(logLevel.WARN);
    log(entry(logLevel.WARN, "The group is rebalancing, re-joining", { groupId: "g" }));
    log(entry(logLevel.WARN, "Limiting retries for the idempotent producer may invalidate EoS guarantees"));
    log(entry(logLevel.ERROR, "Crash: KafkaJSNumberOfRetriesExceeded", { stack: "at x", groupId: "g" }));
    expect(entries).toEqual([
      { level: "debug", msg: "The group is rebalancing, re-joining" },
      { level: "warn", msg: "Limiting retries for the idempotent producer may invalidate EoS guarantees" },
      { level: "error", msg: "Crash: KafkaJSNumberOfRetriesExceeded" },
    ]);
    expect(fields).toEqual([{ kafkajs: "Connection", groupId: "g" }]);
  });
});
