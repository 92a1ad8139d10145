/**
 * Crash recovery figures: 20 seeded SIGKILLs of the real runner (see @pipekit/e2e runCrashTrials),
 * with the workspace emulator, the Akto emulator and a real Kafka broker up throughout.
 * crashTrialsLost must be 0; crashDuplicates is the total re-deliveries over both sinks.
 */
import { runCrashTrials, startE2eStack } from "@pipekit/e2e";
import { startKafkaBroker } from "@pipekit/testkit-kafka";

export async function run(): Promise<Record<string, number>> {
  const broker = await startKafkaBroker();
  try {
    const stack = await startE2eStack({ kafkaBootstrap: broker.bootstrap, rowsPerTable: 300, seed: 11 });
    try {
      const report = await runCrashTrials(stack, { trials: 100, seed: 20_240_611 });
      const missing = report.missingAtEnd.kafka.length + report.missingAtEnd.akto.length;
      return {
        crashTrials: report.trials.length,
        crashTrialsKilled: report.killed,
        // A trial counts as lost if the checkpoint listed something no sink held, or if the final
        // clean run still left an execution missing (then every trial is suspect).
        crashTrialsLost: missing > 0 ? report.trials.length : report.trialsLost,
        crashDuplicates: report.duplicates.kafka + report.duplicates.akto,
        crashMaxUncommittedAtKill: report.maxUncommittedAtKill,
        crashDuplicateBoundPerCrash: report.duplicateBoundPerCrash,
      };
    } finally {
      await stack.close();
    }
  } finally {
    await broker.stop();
  }
}
