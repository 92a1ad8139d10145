import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { checkAktoBatchBody, checkAktoRecord, formatViolations } from "@pipekit/testkit-akto";
import { describe, expect, it } from "vitest";
import { type AktoMappingOptions, mapExecutionToAktoRecords } from "../src/mapping/index.js";
import { goldenExecutions } from "./fixtures/mapping-executions.js";

/**
 * Golden files pin the exact records for each payload shape. After an intended change, regenerate
 * with `UPDATE_GOLDEN=1 pnpm exec vitest run --project @pipekit/sink-akto` and review the diff.
 */
const update = process.env.UPDATE_GOLDEN === "1";
const options: AktoMappingOptions = { clientIp: "10.20.30.40", tagExtras: { team: "support" } };

describe.each(Object.entries(goldenExecutions))("golden mapping: %s", (name, execution) => {
  const records = mapExecutionToAktoRecords(execution, options);

  it("matches test/golden/%s.json", () => {
    const file = new URL(`./golden/${name}.json`, import.meta.url);
    if (update) writeFileSync(file, `${JSON.stringify(records, null, 2)}\n`);
    expect(existsSync(file), `missing golden file; run with UPDATE_GOLDEN=1`).toBe(true);
    expect(records).toEqual(JSON.parse(readFileSync(file, "utf8")));
  });

  it("gives one record for the agent call and one per tool call", () => {
    expect(records).toHaveLength(1 + execution.toolCalls.length);
  });

  it("passes Akto's contract checker with zero violations", () => {
    for (const record of records) {
      expect(checkAktoRecord(record), formatViolations(checkAktoRecord(record))).toEqual([]);
    }
    expect(checkAktoBatchBody(JSON.stringify({ batchData: records }))).toEqual([]);
  });
});
