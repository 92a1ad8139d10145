import { FatalError, type Logger, type Message } from "@pipekit/core";
import type { CompressionTypes, Kafka, Message as KafkaMessage, Producer } from "kafkajs";
import type { KafkaConnectionConfig } from "../config/kafka-sink-config.js";
import { needsProducerReset, toClassifiedError } from "../errors/classify-kafka-error.js";

export interface ProduceLaneOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly connection: KafkaConnectionConfig;
  readonly compression: CompressionTypes;
  readonly logger: Logger | undefined;
  readonly newProducer: (kafka: Kafka) => Producer;
}

/**
 * One idempotent producer (one producer id) and the partitions it owns. kafkajs lets an idempotent
 * producer have one request in flight per broker, and encodes and compresses a batch inside that
 * turn, so a single producer leaves the broker idle while the next batch is prepared and the main
 * thread idle while the broker answers. Lanes own disjoint partitions (sequence numbers are kept
 * per producer id and partition), so they can overlap without weakening the resend rule below.
 */
export class ProduceLane {
  private producer: Producer | undefined;
  private needsReset = false;
  private closed = false;
  /** The records of the last send that failed, while it may still have landed on the broker. */
  private unacknowledged: readonly Message[] | undefined;
  /** Sends of this lane run one at a time (see `send`). */
  private sending: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ProduceLaneOptions) {}

  /** Connects the lane's producer (the first lane at open, so a bad broker fails at start). */
  async connect(): Promise<void> {
    await this.currentProducer();
  }

  /** Runs after the lane's earlier sends, so the one after a failure is known (see `sendNow`). */
  send(messages: readonly Message[], records: KafkaMessage[]): Promise<void> {
    const result = this.sending.then(() => this.sendNow(messages, records));
    this.sending = result.catch(() => {});
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect();
  }

  /**
   * One produce. If the previous one failed, it may still have been appended (only its answer was
   * lost), and kafkajs has handed its sequence numbers back: resending exactly those records lets
   * the broker drop the copy, but anything else under the same numbers would be taken for that
   * copy and silently dropped. So after a failure, any send other than the same records goes
   * through a fresh producer id (a possible duplicate, never a loss).
   */
  private async sendNow(messages: readonly Message[], records: KafkaMessage[]): Promise<void> {
    if (this.unacknowledged && !sameMessages(this.unacknowledged, messages)) this.needsReset = true;
    const producer = await this.currentProducer();
    const { topic, connection, compression } = this.options;
    try {
      await producer.send({
        topic,
        messages: records,
        acks: -1,
        compression,
        timeout: connection.requestTimeoutMs,
      });
    } catch (error) {
      this.unacknowledged = messages;
      if (needsProducerReset(error)) this.needsReset = true;
      throw toClassifiedError(error, { brokers: connection.brokers, topic });
    }
    this.unacknowledged = undefined;
  }

  /**
   * The producer to send with. After the broker forgot this producer's idempotence state (e.g. it
   * restarted), a new producer id is needed; the replaced one may have had a batch accepted whose
   * ack was lost, which is the at-least-once duplicate window.
   */
  private async currentProducer(): Promise<Producer> {
    if (this.producer && !this.needsReset) return this.producer;
    if (this.closed) throw new FatalError("Kafka sink used after close()");
    const { kafka, topic, connection, logger } = this.options;
    const old = this.producer;
    this.producer = undefined;
    await old?.disconnect().catch(() => {});
    const producer = this.options.newProducer(kafka);
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => {});
      throw toClassifiedError(error, { brokers: connection.brokers, topic });
    }
    if (old) logger?.info({ topic }, "Kafka producer replaced (new producer id) after a failed send");
    this.producer = producer;
    this.needsReset = false;
    return producer;
  }
}

function sameMessages(a: readonly Message[], b: readonly Message[]): boolean {
  return a.length === b.length && a.every((m, i) => m === b[i]);
}
