import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startWorkspaceEmulator, type WorkspaceEmulator } from "@pipekit/testkit-databricks";
import { type KafkaBroker, startKafkaBroker } from "@pipekit/testkit-kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scratchDir, spawnCli, waitFor, yaml } from "./helpers.js";

// Three real `pipeline run` processes share a workspace of 202 agent tables through a real Kafka
// broker: a consumer group assigns the shards, checkpoints live in a compacted topic. One is then
// killed with SIGKILL; the survivors must take its shards over within one rebalance and lose nothing.
const SHARDS = 12;

interface LogLine {
  readonly msg?: string;
  readonly [key: string]: unknown;
}
interface Assignment {
  readonly assignment: number;
  readonly shards: number[];
  readonly at: number;
}
interface Cycle {
  readonly startAssignment: number;
  readonly assignment: number;
  readonly shards: number[];
  readonly tables: string[];
  readonly at: number;
}

/** One runner process and what it has logged so far (pino JSON lines on stdout). */
class Instance {
  readonly logs: LogLine[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  private buffer = "";

  constructor(
    readonly name: string,
    readonly output: string,
    readonly child: ChildProcess,
  ) {
    child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      this.buffer += text;
      const lines = this.buffer.split("\n");
      this.buffer = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.startsWith("{")) continue;
        try {
          this.logs.push({ ...(JSON.parse(line) as LogLine), at: Date.now() });
        } catch {
          // a partial or foreign line: not ours to judge
        }
      }
    });
    child.stderr!.setEncoding("utf8").on("data", (text: string) => this.stderr.push(text));
    this.exited = new Promise((done) => child.once("exit", (code) => done(code)));
  }

  assignments(): Assignment[] {
    return this.logs.filter((l) => l.msg === "cluster assignment") as unknown as Assignment[];
  }

  cycles(): Cycle[] {
    return this.logs.filter((l) => l.msg === "cluster cycle") as unknown as Cycle[];
  }

  /** Its latest assignment, and a cycle read entirely under it (if one has finished yet). */
  settled(): { assignment: Assignment; cycle: Cycle | undefined } | undefined {
    const assignment = this.assignments().at(-1);
    if (!assignment) return undefined;
    const cycle = this.cycles().find(
      (c) => c.startAssignment === assignment.assignment && c.assignment === assignment.assignment,
    );
    return { assignment, cycle };
  }

  executionIds(): string[] {
    if (!existsSync(this.output)) return [];
    return readFileSync(this.output, "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { requestId: string }).requestId);
  }
}

/**
 * Waits until the given instances hold disjoint shard sets covering every shard and each has
 * finished a cycle under that assignment; returns those cycles.
 */
async function waitForCoverage(
  instances: readonly Instance[],
  what: string,
  timeoutMs: number,
): Promise<Cycle[]> {
  let cycles: Cycle[] = [];
  await waitFor(
    () => {
      const settled = instances.map((i) => i.settled());
      if (settled.some((s) => !s?.cycle)) return false;
      const shards = settled.flatMap((s) => s!.assignment.shards);
      if (shards.length !== SHARDS || new Set(shards).size !== SHARDS) return false;
      cycles = settled.map((s) => s!.cycle!);
      return true;
    },
    what,
    timeoutMs,
  );
  return cycles;
}

function expectExactCover(cycles: readonly Cycle[], tables: readonly string[]): void {
  const read = cycles.flatMap((c) => c.tables);
  // Every table read by exactly one instance in these cycles.
  expect(read.length).toBe(tables.length);
  expect([...read].sort()).toEqual([...tables].sort());
}

describe("three databricks pipelines sharing a workspace through a Kafka consumer group", () => {
  let ws: WorkspaceEmulator;
  let broker: KafkaBroker;
  let scratch: ReturnType<typeof scratchDir>;
  let file: string;
  const instances: Instance[] = [];

  beforeAll(async () => {
    // 67 agents per task type: 201 AI Gateway tables + the legacy one. Rows lie 2–52 minutes back.
    ws = await startWorkspaceEmulator({
      seed: 9,
      rowsPerTable: 3,
      agents: 67,
      now: Date.now() - 120_000,
      windowMinutes: 50,
      tracesPerAgent: 1,
    });
    broker = await startKafkaBroker();
    scratch = scratchDir();
    file = scratch.write(
      "cluster.yaml",
      yaml`
        id: cluster-e2e
        source:
          type: databricks
          host: ${ws.url}
          clientId: ${ws.credentials.clientId}
          clientSecret: \${DATABRICKS_CLIENT_SECRET}
          caCert: \${file:${ws.caFile}}
          safetyLagSeconds: 0
          tableConcurrency: 4
        sinks:
          - type: jsonl_file
            path: ./out-\${INSTANCE}.jsonl
        deadLetter:
          path: ./dead-\${INSTANCE}.jsonl
        schedule:
          intervalSeconds: 1
        cluster:
          brokers: [${broker.bootstrap}]
          group: shield-e2e
          shards: ${SHARDS}
          sessionTimeoutMs: 6000
          heartbeatIntervalMs: 500
          rebalanceTimeoutMs: 10000
      `,
    );
  }, 600_000);

  afterAll(async () => {
    for (const i of instances)
      if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill("SIGKILL");
    await Promise.all(instances.map((i) => i.exited));
    await broker?.stop();
    await ws?.close();
    scratch?.cleanup();
  });

  it("covers every table exactly once per cycle, survives a SIGKILL within one rebalance, loses nothing", async () => {
    const payloadTables = ws.manifest.tables
      .filter((t) => t.kind === "ai_gateway_payload" || t.kind === "legacy_payload")
      .map((t) => t.fullName);
    expect(payloadTables.length).toBeGreaterThanOrEqual(200);

    for (const name of ["a", "b", "c"]) {
      const child = spawnCli(["run", file, "--no-progress"], {
        INSTANCE: name,
        DATABRICKS_CLIENT_SECRET: ws.credentials.clientSecret,
      });
      instances.push(new Instance(name, join(scratch.dir, `out-${name}.jsonl`), child));
    }
    const [a, b, c] = instances as [Instance, Instance, Instance];

    // 1. Three members: the shards are split, and one cycle of each covers every table exactly once.
    const steady = await waitForCoverage(instances, "a stable three-way split and a cycle of each", 120_000);
    expectExactCover(steady, payloadTables);
    for (const cycle of steady) expect(cycle.tables.length).toBeGreaterThan(0);

    // 2. Kill c without warning. New rows then land in tables it owned.
    const cShards = new Set(c.settled()!.assignment.shards);
    const cTables = c.settled()!.cycle!.tables;
    c.child.kill("SIGKILL");
    const killedAt = Date.now();
    await c.exited;
    const late = [];
    for (const table of cTables.slice(0, 4))
      late.push(...(await ws.insertLateRows(2, { table, minutesAgo: 10 })));

    // 3. Within one rebalance (session timeout + rejoin) a and b own every shard, c's included,
    // and their next cycles cover every table exactly once again.
    const survivors = [a, b];
    await waitFor(
      () => {
        const shards = survivors.flatMap((i) => i.assignments().at(-1)?.shards ?? []);
        return new Set(shards).size === SHARDS && shards.length === SHARDS;
      },
      "the survivors to take over every shard",
      30_000,
    );
    const takeoverMs = Math.max(...survivors.map((i) => i.assignments().at(-1)!.at)) - killedAt;
    const takenOver = survivors.flatMap((i) => i.assignments().at(-1)!.shards).filter((s) => cShards.has(s));
    expect(takenOver.sort()).toEqual([...cShards].sort());
    // Exactly one rebalance after the kill: each survivor got exactly one new assignment.
    for (const i of survivors) {
      expect(i.assignments().filter((x) => x.at >= killedAt)).toHaveLength(1);
    }
    const after = await waitForCoverage(
      survivors,
      "a cycle of each survivor under the new assignment",
      60_000,
    );
    expectExactCover(after, payloadTables);

    // The late rows of c's tables are read by their new owners.
    const lateIds = late.map((r) => r.id);
    await waitFor(
      () => {
        const seen = new Set([...a.executionIds(), ...b.executionIds()]);
        return lateIds.every((id) => seen.has(id));
      },
      "the late rows of the killed instance's tables",
      30_000,
    );

    // 4. Drain the survivors; nothing is lost across all three outputs.
    a.child.kill("SIGTERM");
    b.child.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    // (The manifest lists inserted late rows too; a set counts each execution once.)
    const expected = new Set([
      ...ws.manifest.tables
        .filter((t) => payloadTables.includes(t.fullName))
        .flatMap((t) => t.rows ?? [])
        .filter((r) => !r.malformed)
        .map((r) => r.id),
      ...lateIds,
    ]);
    const delivered = instances.flatMap((i) => i.executionIds());
    const counts = new Map<string, number>();
    for (const id of delivered) counts.set(id, (counts.get(id) ?? 0) + 1);
    const missing = [...expected].filter((id) => !counts.has(id));
    const duplicates = [...counts.values()].reduce((n, k) => n + k - 1, 0);
    console.info(
      `cluster e2e: ${payloadTables.length} tables, ${expected.size} executions, delivered ${delivered.length} ` +
        `(${duplicates} duplicates), takeover ${takeoverMs} ms after SIGKILL, ` +
        `per instance ${instances.map((i) => `${i.name}=${i.executionIds().length}`).join(" ")}`,
    );
    expect(missing).toEqual([]);
    expect(delivered.every((id) => expected.has(id))).toBe(true);
    expect(expected.size).toBe(payloadTables.length * 3 + lateIds.length);
    // Secrets stay out of every log.
    for (const i of instances) {
      expect(JSON.stringify(i.logs)).not.toContain(ws.credentials.clientSecret);
      expect(i.stderr.join("")).not.toContain(ws.credentials.clientSecret);
    }
  }, 300_000);
});
