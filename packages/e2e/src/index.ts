// Shared harness for the end-to-end, crash and fault suites (and bench/crash.ts, bench/e2e.ts).

export { checkpointedIds } from "./crash/checkpointed-ids.js";
export {
  CRASH_TUNING,
  type CrashHarnessOptions,
  type CrashReport,
  duplicateBoundPerCrash,
  runCrashTrials,
  type TrialResult,
} from "./crash/crash-harness.js";
export { KILL_PHASES, type KillPhase, type KillPlan } from "./crash/kill-points.js";
export { randomInt, seededRandom } from "./crash/prng.js";
export { duplicateCount, executionIdOf, executionIds } from "./ledger/akto-record-ids.js";
export { type DeadLetterEntry, readDeadLetters } from "./ledger/dead-letter-file.js";
export { KafkaTopicTail } from "./ledger/kafka-topic-tail.js";
export { type DeliveryStatus, deliveryStatus } from "./ledger/sink-check.js";
export { OtlpReceiver, type ReceivedSpan } from "./otlp/otlp-receiver.js";
export {
  PIPELINE_CLI,
  REPO_ROOT,
  type RunnerExit,
  RunnerProcess,
  runPipeline,
  runShield,
  SHIELD_CLI,
  startPipeline,
  startShield,
} from "./process/runner-process.js";
export { waitFor } from "./process/wait-for.js";
export {
  dashboardExpressions,
  dashboardMetricNames,
  parsePrometheusText,
  promqlMetricNames,
  type Sample,
} from "./prometheus/prometheus-text.js";
export { type E2eStack, type E2eStackOptions, startE2eStack } from "./stack/e2e-stack.js";
export { type PipelineTuning, writeTunedShieldPipeline } from "./stack/tuned-pipeline.js";
