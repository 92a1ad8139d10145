import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type CpuProfile,
  stageOf,
  summariseCpuProfile,
  summariseCpuProfileFile,
} from "./cpu-profile-summary.js";

const frame = (functionName: string, url: string) => ({ functionName, url });
const repo = "file:///work/main";

/** A hand-made profile: one node per stage, and sample times chosen so each share is exact. */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)", "") },
    { id: 2, callFrame: frame("readRows", `${repo}/packages/source-databricks/src/reader/read.ts`) },
    { id: 3, callFrame: frame("normaliseRow", `${repo}/packages/source-databricks/src/normalise/row.ts`) },
    { id: 4, callFrame: frame("redactValue", `${repo}/packages/redact/src/engine/redact.ts`) },
    { id: 5, callFrame: frame("toAkto", `${repo}/packages/sink-akto/src/mapping/map.ts`) },
    { id: 6, callFrame: frame("stringify", "") },
    {
      id: 7,
      callFrame: frame(
        "send",
        `${repo}/node_modules/.pnpm/kafkajs@2.2.4/node_modules/kafkajs/src/producer.js`,
      ),
    },
    { id: 8, callFrame: frame("runCycle", `${repo}/packages/core/src/engine/cycle.ts`) },
    { id: 9, callFrame: frame("(garbage collector)", "") },
    { id: 10, callFrame: frame("(idle)", "") },
    { id: 11, callFrame: frame("readFile", "node:fs") },
  ],
  // Source decode 20 ms, idle 30 ms, other 15 ms, the seven other stages 5 ms each: 100 ms in all.
  samples: [2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 11],
  timeDeltas: [
    10_000, 10_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 10_000, 10_000, 10_000, 15_000,
  ],
};

describe("summariseCpuProfile", () => {
  it("charges each sample's time to the stage of the function on top of the stack", () => {
    const { pct, totalMs } = summariseCpuProfile(profile);
    expect(totalMs).toBe(100);
    expect(pct).toEqual({
      sourceDecode: 20,
      normalise: 5,
      redact: 5,
      map: 5,
      encode: 5,
      kafka: 5,
      engine: 5,
      gc: 5,
      idle: 30,
      other: 15,
    });
  });

  it("lists the busiest functions, idle left out, largest first", () => {
    const { top } = summariseCpuProfile(profile);
    expect(top[0]).toEqual({
      stage: "sourceDecode",
      functionName: "readRows",
      url: `${repo}/packages/source-databricks/src/reader/read.ts`,
      pct: 20,
    });
    expect(top[1]).toMatchObject({ stage: "other", functionName: "readFile", pct: 15 });
    expect(top.some((f) => f.stage === "idle")).toBe(false);
    expect(top).toHaveLength(9);
  });

  it("tells normalise from the rest of the source package, and the driver's own modules from other code", () => {
    expect(stageOf(frame("f", `${repo}/packages/source-databricks/src/normalise/x.ts`))).toBe("normalise");
    expect(
      stageOf(
        frame(
          "f",
          `${repo}/node_modules/.pnpm/@databricks+sql@1.12.0/node_modules/@databricks/sql/dist/x.js`,
        ),
      ),
    ).toBe("sourceDecode");
    expect(stageOf(frame("f", `${repo}/node_modules/.pnpm/thrift@0.16.0/node_modules/thrift/lib/x.js`))).toBe(
      "sourceDecode",
    );
    expect(stageOf(frame("f", `${repo}/packages/sink-kafka/src/sink.ts`))).toBe("kafka");
    expect(stageOf(frame("(program)", ""))).toBe("idle");
    expect(stageOf(frame("parse", ""))).toBe("other");
  });

  it("reads a .cpuprofile file", () => {
    const dir = mkdtempSync(join(tmpdir(), "cpu-profile-summary-"));
    try {
      writeFileSync(join(dir, "p.cpuprofile"), JSON.stringify(profile));
      expect(summariseCpuProfileFile(join(dir, "p.cpuprofile")).pct.sourceDecode).toBe(20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
