import {
  type ComponentContext,
  FatalError,
  type Logger,
  type Message,
  PoisonError,
  RetryableError,
  type Sink,
  type WriteContext,
} from "@pipekit/core";
import type { ErrorClass, HealthStatus, PartialFailure } from "@pipekit/core/advanced";
import { CompressionCodecs, CompressionTypes, ConfigResourceTypes } from "@pipekit/kafka-connection";
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
import {
  BATCH_OVERHEAD_BYTES,
  chunkBySize,
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  recordSize,
} from "./record-size.js";

interface PendingRecord {
  readonly message: Message;
  readonly record: KafkaMessage;
  readonly size: number;
}

export interface KafkaSinkOptions {
  readonly type: string;
  readonly connection: KafkaConnectionConfig;
  readonly topic: string;
  readonly encode: RecordEncoder;
  /** Builds the kafkajs client; tests pass an in-memory fake. Default: a real kafkajs client. */
  readonly createClient?: (connection: KafkaConnectionConfig, logger: Logger) => Kafka;
}

/**
 * Writes each batch the engine hands it with one `producer.send` to one topic (more only when the
 * batch is larger than the topic's `max.message.bytes`), through an idempotent producer (acks=all,
 * one request in flight), and resolves only when the broker has acknowledged every record.
 * Failures surface as RetryableError / PoisonError / FatalError.
 *
 * Duplicates are avoided where the sink can know better than the engine: records the broker has
 * acknowledged are remembered (weakly, by message), so when the engine retries a batch of which an
 * earlier part was already written, only the rest is sent again; and a record too large for the
 * topic is reported alone before sending, rather than failing (and re-sending) its batch-mates —
 * unless the message's producer can shorten it (`message.encoded.fit`): then the shortened record
 * is sent instead (see `fit`).
 * Records without a key go to partition `hash(message id) % partitions` (no key is written), so a
 * resend groups records exactly as the first try did and the broker's idempotence can drop copies.
 */
export class KafkaSink implements Sink {
  readonly type: string;
  private readonly connection: KafkaConnectionConfig;
  private readonly topic: string;
  private readonly encode: RecordEncoder;
  private readonly createClient: NonNullable<KafkaSinkOptions["createClient"]>;
  private readonly compression: ReturnType<typeof compressionType>;
  private kafka: Kafka | undefined;
  private admin: Admin | undefined;
  private producer: Producer | undefined;
  private producerNeedsReset = false;
  private logger: Logger | undefined;
  private opening: Promise<void> | undefined;
  /** Largest record batch the topic accepts (its `max.message.bytes`), read at open. */
  private maxBatchBytes: number;
  private readonly delivered = new WeakSet<Message>();
  /** Partitions of the topic, read at open; records without a key are spread over them by id. */
  private partitionCount = 0;
  /** The records of the last send that failed, while it may still have landed on the broker. */
  private unacknowledged: readonly Message[] | undefined;
  /** Writes run one at a time (see `write`). */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(options: KafkaSinkOptions) {
    this.type = options.type;
    this.connection = options.connection;
    this.topic = options.topic;
    this.encode = options.encode;
    this.createClient = options.createClient ?? createKafkaClient;
    this.compression = compressionType(options.connection.compression as CompressionName);
    this.maxBatchBytes = options.connection.maxBatchBytes ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Connects and checks the topic exists, so a wrong broker or topic fails at start, clearly. */
  open(ctx: ComponentContext): Promise<void> {
    this.opening ??= this.connect(ctx.logger).catch((error: unknown) => {
      this.opening = undefined;
      throw error;
    });
    return this.opening;
  }

  /**
   * Writes run one at a time even when the engine overlaps them: kafkajs serialises requests to a
   * broker anyway (one in flight), and the idempotence bookkeeping below needs to know which send
   * comes right after a failed one.
   */
  write(
    batch: readonly Message[],
    ctx: WriteContext,
  ): Promise<void | { readonly failed: readonly PartialFailure[] }> {
    const result = this.writing.then(() => this.writeNow(batch, ctx));
    this.writing = result.catch(() => {});
    return result;
  }

  private async writeNow(
    batch: readonly Message[],
    ctx: WriteContext,
  ): Promise<void | { readonly failed: readonly PartialFailure[] }> {
    await this.open(ctx);
    const { pending, failed } = await this.prepare(batch, ctx.traceHeaders);
    for (const chunk of chunkBySize(pending, this.maxBatchBytes)) {
      const messages = chunk.map((p) => p.message);
      await this.send(
        messages,
        chunk.map((p) => p.record),
      );
      for (const message of messages) this.delivered.add(message);
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
    const kafka = this.createClient(this.connection, logger);
    const admin = kafka.admin();
    let producer: Producer | undefined;
    try {
      await admin.connect();
      this.partitionCount = await this.topicPartitions(admin);
      this.maxBatchBytes = await this.readMaxBatchBytes(admin, logger);
      producer = this.newProducer(kafka);
      await producer.connect();
      this.kafka = kafka;
      this.admin = admin;
      this.producer = producer;
    } catch (error) {
      await Promise.allSettled([admin.disconnect(), producer?.disconnect()]);
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
    this.logger?.info({ topic: this.topic }, "Kafka producer replaced (new producer id) after a failed send");
    this.producer = producer;
    this.producerNeedsReset = false;
    return producer;
  }

  /**
   * One produce. If the previous one failed, it may still have been appended (only its answer was
   * lost), and kafkajs has handed its sequence numbers back: resending exactly those records lets
   * the broker drop the copy, but anything else under the same numbers would be taken for that
   * copy and silently dropped. So after a failure, any send other than the same records goes
   * through a fresh producer id (a possible duplicate, never a loss).
   */
  private async send(messages: readonly Message[], records: KafkaMessage[]): Promise<void> {
    if (this.unacknowledged && !sameMessages(this.unacknowledged, messages)) this.producerNeedsReset = true;
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
      this.unacknowledged = messages;
      if (needsProducerReset(error)) this.producerNeedsReset = true;
      throw toClassifiedError(error, { brokers: this.connection.brokers, topic: this.topic });
    }
    this.unacknowledged = undefined;
  }

  /**
   * Records still to send for the batch. Messages already acknowledged in an earlier try are
   * skipped; those that cannot be encoded or can never fit the topic are reported as poison.
   */
  private async prepare(
    batch: readonly Message[],
    traceHeaders: WriteContext["traceHeaders"],
  ): Promise<{ pending: PendingRecord[]; failed: PartialFailure[] }> {
    const pending: PendingRecord[] = [];
    const failed: PartialFailure[] = [];
    for (let index = 0; index < batch.length; index++) {
      const message = batch[index]!;
      if (this.delivered.has(message)) continue;
      let record: KafkaMessage;
      try {
        record = this.encode(message);
        // The batch's trace context on each record (before sizing: it counts toward the limit).
        if (traceHeaders) record = { ...record, headers: { ...record.headers, ...traceHeaders } };
      } catch (error) {
        failed.push({ index, error: new PoisonError((error as Error).message, { cause: error }) });
        continue;
      }
      let size = recordSize(record);
      if (size + BATCH_OVERHEAD_BYTES > this.maxBatchBytes) {
        const fitted = this.fit(message, record, size);
        if (fitted instanceof PoisonError) {
          failed.push({ index, error: fitted });
          continue;
        }
        if (fitted !== undefined) {
          record = fitted;
          size = recordSize(record);
        } else {
          const compressed = await this.compressedSize(record);
          if (compressed + BATCH_OVERHEAD_BYTES > this.maxBatchBytes) {
            const error = new PoisonError(
              `message '${message.id}' is ${size} bytes` +
                `${this.compression === CompressionTypes.None ? "" : ` (${compressed} compressed)`}, ` +
                `more than Kafka topic '${this.topic}' accepts (max.message.bytes ${this.maxBatchBytes}, MESSAGE_TOO_LARGE)`,
            );
            failed.push({ index, error });
            continue;
          }
        }
      }
      // No key: spread by a hash of the id rather than kafkajs's round-robin, so a retried batch
      // puts every record on the same partition as before and the broker can spot the copy.
      if (record.key == null && record.partition === undefined && this.partitionCount > 0) {
        record.partition = stringHash(message.id) % this.partitionCount;
      }
      pending.push({ message, record, size });
    }
    return { pending, failed };
  }

  /**
   * A record too large for the topic whose value the message's producer knows how to shorten
   * (`message.encoded.fit`, e.g. an Akto record: payloads cut and marked) is fitted to what the
   * topic takes uncompressed, minus the batch and record framing, so whether it fits does not hang
   * on how well it compresses. PoisonError when it cannot get that small; undefined when the value
   * cannot be shortened at all (then only its compressed size can save it).
   */
  private fit(message: Message, record: KafkaMessage, size: number): KafkaMessage | PoisonError | undefined {
    const encoded = message.encoded;
    if (encoded?.fit === undefined || record.value !== encoded.text) return undefined;
    const budget = this.maxBatchBytes - BATCH_OVERHEAD_BYTES - (size - encoded.bytes);
    const fitted = budget > 0 ? encoded.fit(budget) : undefined;
    if (fitted === undefined) {
      return new PoisonError(
        `message '${message.id}' is ${size} bytes and cannot be shortened to the ${this.maxBatchBytes} bytes ` +
          `Kafka topic '${this.topic}' accepts (max.message.bytes, MESSAGE_TOO_LARGE)`,
      );
    }
    this.logger?.warn(
      {
        messageId: message.id,
        topic: this.topic,
        truncated: fitted.truncated,
        bytes: size,
        fittedBytes: fitted.bytes,
      },
      "Record shortened to fit the Kafka topic's max.message.bytes",
    );
    return { ...record, value: fitted.text };
  }

  /** Rare path (oversized records only): what the record's data compresses to with the sink's codec. */
  private async compressedSize(record: KafkaMessage): Promise<number> {
    const uncompressed = recordSize(record);
    if (this.compression === CompressionTypes.None) return uncompressed;
    const codecFactory = (CompressionCodecs as Record<number, (() => CompressionCodec) | undefined>)[
      this.compression
    ];
    if (!codecFactory) return uncompressed;
    const data = Buffer.concat([toBuffer(record.key), toBuffer(record.value)]);
    const compressed = await codecFactory().compress({ buffer: data });
    return compressed.byteLength + (uncompressed - data.byteLength);
  }

  /** The topic's `max.message.bytes` (what one record batch may hold), unless configured. */
  private async readMaxBatchBytes(admin: Admin, logger: Logger): Promise<number> {
    if (this.connection.maxBatchBytes !== undefined) return this.connection.maxBatchBytes;
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: this.topic, configNames: ["max.message.bytes"] },
        ],
      });
      const value = Number(
        resources[0]?.configEntries.find((e) => e.configName === "max.message.bytes")?.configValue,
      );
      if (Number.isInteger(value) && value > 0) return value;
    } catch (error) {
      logger.warn(
        { topic: this.topic, error: describeChain(error) },
        `Cannot read max.message.bytes of Kafka topic; assuming ${KAFKA_DEFAULT_MAX_MESSAGE_BYTES}`,
      );
    }
    return KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  }
}

interface CompressionCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
}

function sameMessages(a: readonly Message[], b: readonly Message[]): boolean {
  return a.length === b.length && a.every((m, i) => m === b[i]);
}

/** FNV-1a, 32 bit: fast, stable across processes and versions. */
function stringHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function toBuffer(value: KafkaMessage["value"] | KafkaMessage["key"]): Buffer {
  if (value === null || value === undefined) return Buffer.alloc(0);
  return Buffer.isBuffer(value) ? value : Buffer.from(value);
}
