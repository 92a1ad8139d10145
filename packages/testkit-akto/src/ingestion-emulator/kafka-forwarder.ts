import { Kafka, logLevel, type Producer } from "kafkajs";

export interface KafkaForwardingOptions {
  readonly brokers: readonly string[];
  /** Defaults to Akto's `akto.api.logs`. */
  readonly topic?: string;
  readonly clientId?: string;
}

export const AKTO_TRAFFIC_TOPIC = "akto.api.logs";

/**
 * Forwards accepted records the way Akto's ingestion service does: one Kafka message per record,
 * no key, value = the record's JSON without `publishToGuardrails`.
 */
export class KafkaForwarder {
  readonly topic: string;
  private readonly producer: Producer;

  private constructor(producer: Producer, topic: string) {
    this.producer = producer;
    this.topic = topic;
  }

  static async connect(options: KafkaForwardingOptions): Promise<KafkaForwarder> {
    const kafka = new Kafka({
      clientId: options.clientId ?? "akto-ingestion-emulator",
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 5 },
    });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    return new KafkaForwarder(producer, options.topic ?? AKTO_TRAFFIC_TOPIC);
  }

  async send(records: readonly Readonly<Record<string, unknown>>[]): Promise<void> {
    if (records.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: records.map((record) => {
        const { publishToGuardrails: _dropped, ...value } = record;
        return { value: JSON.stringify(value) };
      }),
    });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
