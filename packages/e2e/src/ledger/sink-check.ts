import { type AuditSurvivor, auditRecords } from "@pipekit/testkit-akto";
import type { E2eStack } from "../stack/e2e-stack.js";
import { executionIds } from "./akto-record-ids.js";
import { readDeadLetters } from "./dead-letter-file.js";
import type { KafkaTopicTail } from "./kafka-topic-tail.js";

/** Where a stack's expected executions stand, per sink. */
export interface DeliveryStatus {
  readonly expected: number;
  readonly missing: { readonly kafka: readonly string[]; readonly akto: readonly string[] };
  readonly duplicates: { readonly kafka: number; readonly akto: number };
  /** Dead-letter entries by id (reason included) — the malformed rows plus anything else. */
  readonly deadLetters: ReadonlyMap<string, string>;
  /** Malformed seeded rows not in the dead-letter file. */
  readonly missingDeadLetters: readonly string[];
  /** Values in either sink that the simple, validation-free audit patterns recognise (should be none). */
  readonly survivors: readonly AuditSurvivor[];
}

/** Reads Kafka to its current end, the Akto emulator's records and the dead-letter file. */
export async function deliveryStatus(stack: E2eStack, tail: KafkaTopicTail): Promise<DeliveryStatus> {
  await tail.catchUp();
  const kafka = executionIds(tail.values);
  const akto = executionIds(stack.akto.records);
  const inKafka = new Set(kafka);
  const inAkto = new Set(akto);
  const expected = stack.expectedIds();
  const deadLetters = new Map((await readDeadLetters(stack.deadLetterFile)).map((d) => [d.id, d.reason]));
  return {
    expected: expected.length,
    missing: {
      kafka: expected.filter((id) => !inKafka.has(id)),
      akto: expected.filter((id) => !inAkto.has(id)),
    },
    duplicates: { kafka: kafka.length - inKafka.size, akto: akto.length - inAkto.size },
    deadLetters,
    missingDeadLetters: stack.malformedIds().filter((id) => !deadLetters.has(id)),
    survivors: [...auditRecords(tail.values, "kafka"), ...auditRecords(stack.akto.records, "akto")],
  };
}
