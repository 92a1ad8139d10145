import { statSync } from "node:fs";
import type { E2eStack } from "../stack/e2e-stack.js";

/**
 * Where a trial aims its SIGKILL. Each is anchored on something observable from outside the process
 * (emulator counters, the checkpoint file), then offset by a seeded delay, so kills land in the
 * intended phase however long the process takes to start on a busy machine.
 */
export type KillPhase = "discovery" | "mid-read" | "mid-delivery" | "after-checkpoint";
export const KILL_PHASES: readonly KillPhase[] = [
  "discovery",
  "mid-read",
  "mid-delivery",
  "after-checkpoint",
];

export interface KillPlan {
  readonly phase: KillPhase;
  /** Wait for the n-th occurrence of the anchor event (1-based). */
  readonly occurrence: number;
  /** Then wait this long before the kill. */
  readonly delayMs: number;
}

/** A condition over the stack, polled; true once the anchor event has happened `occurrence` times. */
export interface KillAnchor {
  reached(): boolean;
  /** Undo anything the anchor injected (e.g. a latency fault that widens discovery). */
  dispose(): void;
}

const UNITY_CATALOG = "/api/2.1/unity-catalog";

export function armAnchor(stack: E2eStack, plan: KillPlan): KillAnchor {
  switch (plan.phase) {
    case "discovery": {
      // Slow listing calls a little so the discovery phase lasts long enough to be hit; the first
      // Unity Catalog request of this run marks its start.
      const faultId = stack.ws.faults.inject({ type: "latency", latencyMs: 60, pathPrefix: UNITY_CATALOG });
      const hits = () => stack.ws.faults.list().find((f) => f.id === faultId)?.hits ?? 0;
      return { reached: () => hits() >= plan.occurrence, dispose: () => stack.ws.faults.remove(faultId) };
    }
    case "mid-read": {
      const before = stack.ws.stats.statementsExecuted;
      return { reached: () => stack.ws.stats.statementsExecuted - before >= plan.occurrence, dispose() {} };
    }
    case "mid-delivery": {
      const before = stack.akto.requests.count;
      return { reached: () => stack.akto.requests.count - before >= plan.occurrence, dispose() {} };
    }
    case "after-checkpoint": {
      // Every commit renames a fresh file over the old one: a new inode is a new commit.
      const identity = () => {
        try {
          const s = statSync(stack.checkpointFile);
          return `${s.ino}:${s.mtimeMs}:${s.size}`;
        } catch {
          return "absent";
        }
      };
      let last = identity();
      let commits = 0;
      return {
        reached: () => {
          const now = identity();
          if (now !== last) {
            last = now;
            commits++;
          }
          return commits >= plan.occurrence;
        },
        dispose() {},
      };
    }
  }
}
