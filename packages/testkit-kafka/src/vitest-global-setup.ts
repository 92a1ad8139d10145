import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { type KafkaBroker, startKafkaBroker } from "./broker/kafka-broker.js";
import { TEST_SASL_USER } from "./broker/test-sasl-user.js";

/**
 * Vitest globalSetup: one real Kafka broker per test run. Reference it by path from a package's
 * vitest.config.ts (`globalSetup: ["../testkit-kafka/src/vitest-global-setup.ts"]`) and read the
 * address in tests with `inject("kafkaBootstrap")` (PLAINTEXT) or `inject("kafkaSaslBootstrap")`
 * (SASL_PLAINTEXT, user TEST_SASL_USER). If the broker cannot start, setup throws and
 * the run fails: tests that need Kafka never silently skip.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let broker: KafkaBroker;
  try {
    broker = await startKafkaBroker({ saslUsers: { [TEST_SASL_USER.username]: TEST_SASL_USER.password } });
  } catch (error) {
    throw new Error(
      `@pipekit/testkit-kafka: could not start the Kafka broker for the tests: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
  project.provide("kafkaBootstrap", broker.bootstrap);
  project.provide("kafkaSaslBootstrap", broker.saslBootstrap);
  return async () => {
    await broker.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    /** `127.0.0.1:PORT` of the broker started by @pipekit/testkit-kafka's global setup. */
    kafkaBootstrap: string;
    /** Its SASL_PLAINTEXT listener; log in as TEST_SASL_USER. */
    kafkaSaslBootstrap: string;
  }
}
