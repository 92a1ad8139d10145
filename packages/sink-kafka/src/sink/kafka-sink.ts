import {
  type ComponentContext,
  type ErrorClass,
  FatalError,
  type HealthStatus,
  type Logger,
  type Message,
  type PartialFailure,
  PoisonError,
  RetryableError,
  type Sink,
  type WriteContext,
} from "@pipekit/core";
import { type Admin, type Kafka, type Message as KafkaMessage, Partitioners, type Producer } from "kafkajs";
import { type CompressionName, compressionType } from "../client/compression.js";
import { createKafkaClient } from "../client/kafka-client.js";
import type { KafkaConnectionConfig } from "../config/kafka-sink-config.js";
import type { RecordEncoder } from "../encoding/encode-record.js";
import {
  classifyKafkaError,
  describeChain,
  kafkaErrorType,
  needsProducerReset,
  toClassifiedError,
} from "../errors/classify-kafka-error.js";

export interface KafkaSinkOptions {
  readonly type: string;
  readonly connection: KafkaConnectionConfig;
  readonly topic: string;
  readonly encode: RecordEncoder;
}

/**
 * Writes each batch the engine hands it with ONE `producer.send` to one topic, through an
 * idempotent producer (acks=all, one request in flight), and resolves only when the broker has
 * acknowledged every record. Failures surface as RetryableError / PoisonError / FatalError.
 */
export class KafkaSink implements Sink {
  readonly type: string;
  private readonly connection: KafkaConnectionConfig;
  private readonly topic: string;
  private readonly encode: RecordEncoder;
  private readonly compression: ReturnType<typeof compressionType>;
  private kafka: Kafka | undefined;
  private admin: Admin | undefined;
  private producer: Producer | undefined;
  private producerNeedsReset = false;
  private logger: Logger | undefined;
  private opening: Promise<void> | undefined;

  constructor(options: KafkaSinkOptions) {
    this.type = options.type;
    this.connection = options.connection;
    this.topic = options.topic;
    this.encode = options.encode;
    this.compression = compressionType(options.connection.compression as CompressionName);
  }

  /** Connects and checks the topic exists, so a wrong broker or topic fails at start, clearly. */
  open(ctx: ComponentContext): Promise<void> {
    this.opening ??= this.connect(ctx.logger).catch((error: unknown) => {
      this.opening = undefined;
      throw error;
    });
    return this.opening;
  }

  async write(
    batch: readonly Message[],
    ctx: WriteContext,
  ): Promise<void | { readonly failed: readonly PartialFailure[] }> {
    await this.open(ctx);
    const { records, failed } = this.encodeBatch(batch);
    if (records.length > 0) {
      const producer = await this.currentProducer();
      try {
        await producer.send({
          topic: this.topic,
          messages: records,
          acks: -1,
          compression: this.compression,
          timeout: this.connection.requestTimeoutMs,
        });
      } catch (error) {
        if (needsProducerReset(error)) this.producerNeedsReset = true;
        throw toClassifiedError(error, { brokers: this.connection.brokers, topic: this.topic });
      }
    }
    return failed.length > 0 ? { failed } : undefined;
  }

  classifyError(error: unknown): ErrorClass {
    return classifyKafkaError(error);
  }

  async health(): Promise<HealthStatus> {
    if (!this.admin) return { ok: false, detail: "Kafka sink is not open" };
    try {
      const partitions = await this.topicPartitions(this.admin);
      return { ok: true, detail: `topic '${this.topic}' (${partitions} partitions) on ${this.brokerList}` };
    } catch (error) {
      return { ok: false, detail: this.describeOpenError(error).message };
    }
  }

  async close(): Promise<void> {
    const { producer, admin } = this;
    this.producer = undefined;
    this.admin = undefined;
    this.kafka = undefined;
    this.opening = undefined;
    await Promise.allSettled([producer?.disconnect(), admin?.disconnect()]);
  }

  private get brokerList(): string {
    return this.connection.brokers.join(",");
  }

  private async connect(logger: Logger): Promise<void> {
    this.logger = logger;
    const kafka = createKafkaClient(this.connection, logger);
    const admin = kafka.admin();
    try {
      await admin.connect();
      await this.topicPartitions(admin);
      const producer = this.newProducer(kafka);
      await producer.connect();
      this.kafka = kafka;
      this.admin = admin;
      this.producer = producer;
    } catch (error) {
      await admin.disconnect().catch(() => {});
      throw this.describeOpenError(error);
    }
  }

  private async topicPartitions(admin: Admin): Promise<number> {
    const { topics } = await admin.fetchTopicMetadata({ topics: [this.topic] });
    return topics.find((t) => t.name === this.topic)?.partitions.length ?? 0;
  }

  /** The two problems people hit at start, said plainly; everything else classified as usual. */
  private describeOpenError(error: unknown): Error {
    const type = kafkaErrorType(error);
    if (type === "UNKNOWN_TOPIC_OR_PARTITION") {
      return new FatalError(`Kafka topic '${this.topic}' does not exist on ${this.brokerList}`, {
        cause: error,
      });
    }
    const classified = toClassifiedError(error, { brokers: this.connection.brokers, topic: this.topic });
    if (classified instanceof RetryableError) {
      return new RetryableError(`Cannot reach Kafka broker(s) ${this.brokerList}: ${describeChain(error)}`, {
        cause: error,
      });
    }
    return classified;
  }

  private newProducer(kafka: Kafka): Producer {
    return kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: this.connection.retries, initialRetryTime: this.connection.initialRetryTimeMs },
    });
  }

  /**
   * The producer to send with. After the broker forgot this producer's idempotence state (e.g. it
   * restarted), a new producer id is needed; the replaced one may have had a batch accepted whose
   * ack was lost, which is the at-least-once duplicate window.
   */
  private async currentProducer(): Promise<Producer> {
    if (this.producer && !this.producerNeedsReset) return this.producer;
    if (!this.kafka) throw new FatalError("Kafka sink used after close()");
    const old = this.producer;
    this.producer = undefined;
    await old?.disconnect().catch(() => {});
    const producer = this.newProducer(this.kafka);
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => {});
      throw toClassifiedError(error, { brokers: this.connection.brokers, topic: this.topic });
    }
    this.logger?.warn({ topic: this.topic }, "Kafka producer replaced after its idempotence state was lost");
    this.producer = producer;
    this.producerNeedsReset = false;
    return producer;
  }

  /** Records for the batch; messages that cannot be encoded are reported, not sent. */
  private encodeBatch(batch: readonly Message[]): { records: KafkaMessage[]; failed: PartialFailure[] } {
    const records: KafkaMessage[] = [];
    const failed: PartialFailure[] = [];
    for (let i = 0; i < batch.length; i++) {
      try {
        records.push(this.encode(batch[i]!));
      } catch (error) {
        failed.push({ index: i, error: new PoisonError((error as Error).message, { cause: error }) });
      }
    }
    return { records, failed };
  }
}
