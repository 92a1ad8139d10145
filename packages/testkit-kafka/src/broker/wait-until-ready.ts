import { Kafka, logLevel } from "kafkajs";

/** A short-lived admin client that never prints (the broker may not be up yet). */
export function quietKafka(bootstrap: string, clientId = "pipekit-testkit"): Kafka {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 10_000,
    retry: { retries: 0 },
  });
}

export interface WaitUntilReadyOptions {
  readonly bootstrap: string;
  readonly deadline: number;
  /** Throws (with the reason) when waiting is pointless, e.g. the broker process has exited. */
  readonly assertAlive: () => void;
  readonly pollIntervalMs?: number;
}

/**
 * Polls until an admin client connects and lists topics, i.e. the broker serves real requests
 * (the port alone opens before the controller has elected itself and loaded metadata).
 */
export async function waitUntilReady(options: WaitUntilReadyOptions): Promise<void> {
  const interval = options.pollIntervalMs ?? 200;
  let lastError: unknown;
  while (Date.now() < options.deadline) {
    options.assertAlive();
    const admin = quietKafka(options.bootstrap).admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  options.assertAlive();
  throw new Error(
    `Kafka broker on ${options.bootstrap} did not serve requests before the deadline: ${describe(lastError)}`,
    { cause: lastError },
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
