/** What varies between brokers; everything else is fixed for a single-node test cluster. */
export interface ServerPropertiesInput {
  readonly brokerPort: number;
  readonly controllerPort: number;
  readonly logDir: string;
  /** Extra or overriding `server.properties` entries (e.g. `message.max.bytes`). */
  readonly overrides?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * A combined broker+controller (KRaft) node with a static one-voter quorum, so storage can be
 * formatted without `--standalone` and a restart on the same ports finds its quorum again.
 */
export function serverProperties(input: ServerPropertiesInput): string {
  const host = "127.0.0.1";
  const props: Record<string, string | number | boolean> = {
    "process.roles": "broker,controller",
    "node.id": 1,
    "controller.quorum.voters": `1@${host}:${input.controllerPort}`,
    listeners: `PLAINTEXT://${host}:${input.brokerPort},CONTROLLER://${host}:${input.controllerPort}`,
    "advertised.listeners": `PLAINTEXT://${host}:${input.brokerPort}`,
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "log.dirs": input.logDir,
    "num.partitions": 1,
    "default.replication.factor": 1,
    "offsets.topic.replication.factor": 1,
    "offsets.topic.num.partitions": 1,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    "share.coordinator.state.topic.replication.factor": 1,
    "share.coordinator.state.topic.min.isr": 1,
    "min.insync.replicas": 1,
    "group.initial.rebalance.delay.ms": 0,
    // Topics are created up front by the tests (kafkajs + KRaft auto-creation races otherwise).
    "auto.create.topics.enable": false,
    // Small machine: keep the thread pools and the log cleaner modest.
    "num.network.threads": 2,
    "num.io.threads": 4,
    "num.recovery.threads.per.data.dir": 1,
    "log.cleaner.dedupe.buffer.size": 4 * 1024 * 1024,
    ...input.overrides,
  };
  return `${Object.entries(props)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join("\n")}\n`;
}
