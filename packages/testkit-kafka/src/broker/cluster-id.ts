import { randomBytes } from "node:crypto";

/**
 * A random Kafka cluster id: 16 random bytes in URL-safe base64 without padding, as Kafka's
 * `Uuid.randomUuid()` makes them (it also rejects ids starting with "-", which look like CLI flags).
 * Made here to save a JVM start for `kafka-storage random-uuid`.
 */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}
