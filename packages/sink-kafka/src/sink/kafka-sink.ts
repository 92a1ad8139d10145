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
import {
  type Admin,
  type Kafka,
  type Message as KafkaMessage,
  Partitioners,
  type PartitionMetadata,
  type Producer,
} from "kafkajs";
import { type CompressionName, compressionType } from "../client/compression.js";
import { createKafkaClient } from "../client/kafka-client.js";
import type { KafkaConnectionConfig } from "../config/kafka-sink-config.js";
import type { RecordEncoder } from "../encoding/encode-record.js";
import {
  classifyKafkaError,
  describeChain,
  kafkaErrorType,
  toClassifiedError,
} from "../errors/classify-kafka-error.js";
import { ProduceLane } from "./produce-lane.js";
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
 * Writes each batch the engine hands it to one topic through idempotent producers (acks=all), and
 * resolves only when the broker has acknowledged every record. The batch is split by partition
 * over `produceLanes` producers (partition p goes to lane p mod lanes), each sending one request
 * at a time (more only when its part is larger than the topic's `max.message.bytes`); lanes
 * overlap, so one lane's batch is encoded while another's waits for the broker.
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
  private admin: Admin | undefined;
  /** One per `produceLanes` (at most one per partition); lane 0 connects at open, the others on first use. */
  private lanes: ProduceLane[] = [];
  private logger: Logger | undefined;
  private opening: Promise<void> | undefined;
  /** Largest record batch the topic accepts (its `max.message.bytes`), read at open. */
  private maxBatchBytes: number;
  private readonly delivered = new WeakSet<Message>();
  /** Partitions of the topic, read at open; records without a key are spread over them by id. */
  private partitionMetadata: PartitionMetadata[] = [];
  /** kafkajs's own choice for keyed records (murmur2 of the key), made here to pick the lane. */
  private readonly keyPartitioner = Partitioners.DefaultPartitioner();

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
   * The batch's records go to their partitions' lanes at once. When a lane fails, what the other
   * lanes got acknowledged is remembered (see `delivered`), so the engine's retry of the batch
   * sends only the failed lane's records again, through that lane: the same records, so the
   * broker can drop a copy.
   */
  async write(
    batch: readonly Message[],
    ctx: WriteContext,
  ): Promise<void | { readonly failed: readonly PartialFailure[] }> {
    await this.open(ctx);
    const { pending, failed } = await this.prepare(batch, ctx.traceHeaders);
    const lanes = this.lanes;
    if (lanes.length === 0) throw new FatalError("Kafka sink used after close()");
    const perLane: PendingRecord[][] = lanes.map(() => []);
    for (const p of pending) perLane[(p.record.partition ?? 0) % lanes.length]!.push(p);
    const sent = await Promise.allSettled(
      perLane.map((records, lane) =>
        records.length > 0 ? this.sendOnLane(lanes[lane]!, records) : undefined,
      ),
    );
    // Several lanes may fail at once: a fatal error (e.g. authorization) must win over a retry.
    const refused = sent.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    if (refused.length > 0) throw refused.find((e) => e instanceof FatalError) ?? refused[0];
    return failed.length > 0 ? { failed } : undefined;
  }

  /** A lane's part of a batch, in runs the topic accepts; stops at the first refused run. */
  private async sendOnLane(lane: ProduceLane, pending: readonly PendingRecord[]): Promise<void> {
    for (const chunk of chunkBySize(pending, this.maxBatchBytes)) {
      const messages = chunk.map((p) => p.message);
      await lane.send(
        messages,
        chunk.map((p) => p.record),
      );
      for (const message of messages) this.delivered.add(message);
    }
  }

  classifyError(error: unknown): ErrorClass {
    return classifyKafkaError(error);
  }

  async health(): Promise<HealthStatus> {
    if (!this.admin) return { ok: false, detail: "Kafka sink is not open" };
    try {
      const partitions = await this.topicPartitions(this.admin);
      return {
        ok: true,
        detail: `topic '${this.topic}' (${partitions.length} partitions) on ${this.brokerList}`,
      };
    } catch (error) {
      return { ok: false, detail: this.describeOpenError(error).message };
    }
  }

  async close(): Promise<void> {
    const { lanes, admin } = this;
    this.lanes = [];
    this.admin = undefined;
    this.opening = undefined;
    await Promise.allSettled([...lanes.map((lane) => lane.close()), admin?.disconnect()]);
  }

  private get brokerList(): string {
    return this.connection.brokers.join(",");
  }

  private async connect(logger: Logger): Promise<void> {
    this.logger = logger;
    const kafka = this.createClient(this.connection, logger);
    const admin = kafka.admin();
    let lanes: ProduceLane[] = [];
    try {
      await admin.connect();
      this.partitionMetadata = await this.topicPartitions(admin);
      this.maxBatchBytes = await this.readMaxBatchBytes(admin, logger);
      const count = Math.max(1, Math.min(this.connection.produceLanes, this.partitionMetadata.length));
      lanes = Array.from({ length: count }, () => this.newLane(kafka, logger));
      await lanes[0]!.connect();
      this.admin = admin;
      this.lanes = lanes;
    } catch (error) {
      await Promise.allSettled([admin.disconnect(), ...lanes.map((lane) => lane.close())]);
      throw this.describeOpenError(error);
    }
  }

  private newLane(kafka: Kafka, logger: Logger): ProduceLane {
    return new ProduceLane({
      kafka,
      topic: this.topic,
      connection: this.connection,
      compression: this.compression,
      logger,
      newProducer: (k) => this.newProducer(k),
    });
  }

  private async topicPartitions(admin: Admin): Promise<PartitionMetadata[]> {
    const { topics } = await admin.fetchTopicMetadata({ topics: [this.topic] });
    return topics.find((t) => t.name === this.topic)?.partitions ?? [];
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
      const encoded = message.encoded;
      let size = recordSize(
        record,
        encoded !== undefined && record.value === encoded.text ? encoded.bytes : undefined,
      );
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
      // puts every record on the same partition as before and the broker can spot the copy. A key:
      // the partition kafkajs would pick, chosen here because it decides the lane.
      const partitions = this.partitionMetadata;
      if (record.partition === undefined && partitions.length > 0) {
        record.partition =
          record.key == null
            ? stringHash(message.id) % partitions.length
            : this.keyPartitioner({ topic: this.topic, partitionMetadata: partitions, message: record });
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
