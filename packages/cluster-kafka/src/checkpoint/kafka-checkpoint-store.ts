import { randomUUID } from "node:crypto";
import { type CheckpointStore, type Logger, RetryableError, silentLogger } from "@pipekit/core";
import { CompressionTypes, Partitioners } from "@pipekit/kafka-connection";
import type { Admin, Consumer, Kafka, PartitionMetadata, Producer } from "kafkajs";

/** Uncompressed bytes per produce request: a record batch must stay under the broker's 1 MB default. */
const MAX_SEND_BYTES = 512 * 1024;

export interface KafkaCheckpointStoreOptions {
  /** Compacted topic holding one record per key (the last one wins). */
  readonly topic: string;
  /** This writer's identity, stored with each position (see `ownsKey`). */
  readonly owner: string;
  readonly logger?: Logger;
  /**
   * Keys this instance alone decides (those of the shards it owns and has caught up on). A record
   * for such a key written by another instance is a late write from its previous owner and is
   * ignored, so it cannot wind our position back. Absent: every record counts.
   */
  readonly ownsKey?: (key: string) => boolean;
  /** How long `readToEnd` waits for the log (default 30 s). */
  readonly readTimeoutMs?: number;
  /** Prefix of the private consumer group used to tail the topic. */
  readonly groupPrefix?: string;
}

/** What is stored in each record's value. */
interface StoredCheckpoint {
  readonly v: 1;
  readonly owner: string;
  readonly position: unknown;
}

interface Entry {
  readonly position: unknown;
  readonly partition: number;
  readonly offset: number;
}

/**
 * A CheckpointStore in a compacted Kafka topic, the way Kafka Connect keeps source offsets: every
 * commit is a record keyed by the checkpoint key, produced idempotently with acks=all; the store
 * tails the topic from the beginning into memory (last record per key wins, by offset) and
 * `readToEnd()` waits until it has seen everything written before the call. Any instance can
 * therefore pick up any key where the last writer left it.
 */
export class KafkaCheckpointStore implements CheckpointStore {
  private readonly entries = new Map<string, Entry>();
  /** Next offset to read, per partition of the topic. */
  private readonly next = new Map<number, number>();
  private readonly waiters = new Set<() => void>();
  private readonly logger: Logger;
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private started: Promise<void> | undefined;
  private closed: Promise<void> | undefined;
  private tailError: Error | undefined;
  private partitionMetadata: PartitionMetadata[] | undefined;
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaCheckpointStoreOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Connects and reads the topic to its end. The topic must exist (see ensureTopics). */
  start(): Promise<void> {
    this.started ??= this.connect();
    return this.started;
  }

  /**
   * Resolves once every record written to the topic before this call has been applied: call it
   * before reading positions that another instance may have written (e.g. on taking over a shard).
   */
  async readToEnd(signal?: AbortSignal): Promise<void> {
    const ends = await this.endOffsets(signal);
    const targets = ends
      .map((e) => ({ partition: e.partition, low: Number(e.low), high: Number(e.high) }))
      .filter((e) => e.high > e.low);
    const reached = (): boolean => targets.every((t) => (this.next.get(t.partition) ?? t.low) >= t.high);
    if (reached()) return;
    const timeoutMs = this.options.readTimeoutMs ?? 30_000;
    await new Promise<void>((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = (): void => {
        if (this.tailError) finish(this.tailError);
        else if (reached()) finish();
      };
      const onAbort = (): void => finish(new Error("reading the checkpoint topic was aborted"));
      const timer = setTimeout(() => {
        const behind = targets
          .filter((t) => (this.next.get(t.partition) ?? t.low) < t.high)
          .map((t) => `partition ${t.partition} at ${this.next.get(t.partition) ?? t.low} of ${t.high}`);
        finish(
          new RetryableError(
            `checkpoint topic ${this.options.topic} not read to its end within ${timeoutMs} ms (${behind.join(", ")})`,
          ),
        );
      }, timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(check);
      check();
    });
  }

  /**
   * The topic's end offsets. Right after the topic is created (KRaft) or while a leader moves, the
   * broker answers NOT_LEADER for a while: retried with a deadline, like kafkajs's own retries.
   */
  private async endOffsets(signal?: AbortSignal): Promise<Awaited<ReturnType<Admin["fetchTopicOffsets"]>>> {
    const deadline = Date.now() + (this.options.readTimeoutMs ?? 30_000);
    for (let attempt = 1; ; attempt++) {
      const admin = this.requireStarted().admin;
      try {
        return await admin.fetchTopicOffsets(this.options.topic);
      } catch (error) {
        const retriable = (error as { retriable?: boolean }).retriable === true;
        if (!retriable || signal?.aborted || Date.now() > deadline) throw error;
        this.logger.debug(
          { err: error, attempt },
          "end offsets of the checkpoint topic not available yet; retrying",
        );
        await new Promise((r) => setTimeout(r, Math.min(1000, 100 * attempt)));
      }
    }
  }

  async load(key: string): Promise<unknown | undefined> {
    return this.entries.get(key)?.position;
  }

  /** The keys with a stored position (synchronous: for the shard weights announced on joining). */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  async loadAll(): Promise<ReadonlyMap<string, unknown>> {
    return new Map([...this.entries].map(([key, entry]) => [key, entry.position]));
  }

  /** Resolves when the record is acknowledged by all in-sync replicas. */
  commit(key: string, position: unknown): Promise<void> {
    return this.commitMany(new Map([[key, position]]));
  }

  /**
   * Produces one record per key (a tombstone for `undefined`), in sends of at most ~512 KB so a
   * record batch stays under the broker's default 1 MB limit; each key's record is applied once the
   * send that carried it is acknowledged.
   */
  async commitMany(entries: ReadonlyMap<string, unknown>): Promise<void> {
    const producer = this.requireStarted().producer;
    let batch: { key: string; value: string | null; position: unknown }[] = [];
    let batchBytes = 0;
    const send = async (): Promise<void> => {
      if (batch.length === 0) return;
      const messages = batch;
      batch = [];
      batchBytes = 0;
      let metas: Awaited<ReturnType<Producer["send"]>>;
      const partitions = messages.map(({ key, value }) => this.partitionFor(key, value));
      try {
        metas = await producer.send({
          topic: this.options.topic,
          acks: -1,
          compression: CompressionTypes.GZIP,
          messages: messages.map(({ key, value }, i) => ({ key, value, partition: partitions[i] })),
        });
      } catch (error) {
        throw new RetryableError(
          `checkpoint commit of ${messages.length} key(s) (first "${messages[0]!.key}") to Kafka topic ${this.options.topic} failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
      // kafkajs reports one base offset per partition; records of one send keep their order there.
      const next = new Map(metas.map((m) => [m.partition, Number(m.baseOffset)]));
      for (const [i, message] of messages.entries()) {
        const partition = partitions[i]!;
        const offset = next.get(partition) ?? 0;
        next.set(partition, offset + 1);
        if (message.value === null) this.entries.delete(message.key);
        else this.apply(message.key, message.position, partition, offset);
      }
    };
    for (const [key, position] of entries) {
      const value =
        position === undefined
          ? null
          : JSON.stringify({ v: 1, owner: this.options.owner, position } satisfies StoredCheckpoint);
      const bytes = key.length + (value?.length ?? 0);
      if (batchBytes + bytes > MAX_SEND_BYTES) await send();
      batch.push({ key, value, position });
      batchBytes += bytes;
    }
    await send();
  }

  /**
   * Chosen here, with kafkajs's own default partitioner, so the offset of every record of a send is
   * known (base offset of its partition + its place there), as `apply` needs to order a key's records.
   */
  private partitionFor(key: string, value: string | null): number {
    const partitionMetadata = this.partitionMetadata;
    if (!partitionMetadata) throw new Error("the Kafka checkpoint store is not started");
    return this.partitioner({ topic: this.options.topic, partitionMetadata, message: { key, value } });
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.started?.catch(() => {});
      const consumer = this.consumer;
      const producer = this.producer;
      const admin = this.admin;
      this.consumer = this.producer = this.admin = undefined;
      await Promise.allSettled([consumer?.disconnect(), producer?.disconnect(), admin?.disconnect()]);
      this.tailError ??= new Error("the checkpoint store is closed");
      for (const wake of [...this.waiters]) wake();
    })();
    return this.closed;
  }

  private async connect(): Promise<void> {
    const { topic } = this.options;
    this.admin = this.kafka.admin();
    // Idempotent with one request in flight: retries never duplicate or reorder a key's records.
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    // A private group (no committed offsets) so every instance reads the whole topic.
    this.consumer = this.kafka.consumer({
      groupId: `${this.options.groupPrefix ?? "pipekit-checkpoints"}-${randomUUID()}`,
      maxWaitTimeInMs: 200,
    });
    await Promise.all([this.admin.connect(), this.producer.connect(), this.consumer.connect()]);
    const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
    this.partitionMetadata = metadata.topics[0]?.partitions;
    await this.consumer.subscribe({ topic, fromBeginning: true });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      if (event.payload.restart) return;
      this.tailError = new Error(`tailing checkpoint topic ${topic} stopped: ${event.payload.error.message}`);
      this.logger.error({ topic, err: event.payload.error }, "checkpoint topic reader stopped");
      for (const wake of [...this.waiters]) wake();
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          this.applyRecord(batch.partition, message.key, message.value, Number(message.offset));
        }
        // lastOffset() also covers records compaction removed at the end of the batch.
        const next = Number(batch.lastOffset()) + 1;
        if (next > (this.next.get(batch.partition) ?? 0)) this.next.set(batch.partition, next);
        for (const wake of [...this.waiters]) wake();
      },
    });
    await this.readToEnd();
    this.logger.info({ topic, keys: this.entries.size }, "checkpoints read from Kafka");
  }

  private applyRecord(partition: number, key: Buffer | null, value: Buffer | null, offset: number): void {
    if (!key) return;
    const name = key.toString();
    if (value === null) {
      // A tombstone: the key was deleted on purpose.
      const current = this.entries.get(name);
      if (!current || current.offset <= offset) this.entries.delete(name);
      return;
    }
    let stored: Partial<StoredCheckpoint>;
    try {
      stored = JSON.parse(value.toString()) as Partial<StoredCheckpoint>;
    } catch {
      this.logger.warn(
        { topic: this.options.topic, key: name, partition, offset },
        "ignoring a checkpoint record that is not JSON",
      );
      return;
    }
    if (stored.v !== 1 || !("position" in stored)) {
      this.logger.warn(
        { topic: this.options.topic, key: name, partition, offset },
        "ignoring a checkpoint record in an unknown format",
      );
      return;
    }
    if (stored.owner !== this.options.owner && this.options.ownsKey?.(name)) {
      this.logger.debug(
        { key: name, writer: stored.owner, offset },
        "ignoring a late checkpoint from a previous owner",
      );
      return;
    }
    this.apply(name, stored.position, partition, offset);
  }

  private apply(key: string, position: unknown, partition: number, offset: number): void {
    const current = this.entries.get(key);
    // Records of one key share a partition, so its offsets order them: the later record wins.
    if (current && current.partition === partition && current.offset > offset) return;
    this.entries.set(key, { position, partition, offset });
  }

  private requireStarted(): { admin: Admin; producer: Producer } {
    if (!this.admin || !this.producer) {
      throw new Error(
        this.closed ? "the Kafka checkpoint store is closed" : "the Kafka checkpoint store is not started",
      );
    }
    return { admin: this.admin, producer: this.producer };
  }
}
