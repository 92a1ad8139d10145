/** What varies between brokers; everything else is fixed for a single-node test cluster. */
export interface ServerPropertiesInput {
  readonly brokerPort: number;
  readonly controllerPort: number;
  readonly logDir: string;
  /** Adds a SASL_PLAINTEXT listener on this port accepting PLAIN and SCRAM-SHA-256/512 for `users`. */
  readonly sasl?: { readonly port: number; readonly users: Readonly<Record<string, string>> };
  /** Extra or overriding `server.properties` entries (e.g. `message.max.bytes`). */
  readonly overrides?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * A combined broker+controller (KRaft) node with a static one-voter quorum, so storage can be
 * formatted without `--standalone` and a restart on the same ports finds its quorum again.
 */
export function serverProperties(input: ServerPropertiesInput): string {
  const host = "127.0.0.1";
  const listeners = [
    `PLAINTEXT://${host}:${input.brokerPort}`,
    `CONTROLLER://${host}:${input.controllerPort}`,
  ];
  const advertised = [`PLAINTEXT://${host}:${input.brokerPort}`];
  const protocols = ["PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT"];
  const saslProps: Record<string, string> = {};
  if (input.sasl) {
    listeners.push(`SASL_PLAINTEXT://${host}:${input.sasl.port}`);
    advertised.push(`SASL_PLAINTEXT://${host}:${input.sasl.port}`);
    protocols.push("SASL_PLAINTEXT:SASL_PLAINTEXT");
    const plainUsers = Object.entries(input.sasl.users)
      .map(([user, password]) => `user_${jaasQuote(user).slice(1, -1)}=${jaasQuote(password)}`)
      .join(" ");
    saslProps["sasl.enabled.mechanisms"] = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512";
    saslProps["listener.name.sasl_plaintext.plain.sasl.jaas.config"] =
      `org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`;
    // SCRAM credentials live in the cluster metadata; they are added when storage is formatted.
    for (const mechanism of ["scram-sha-256", "scram-sha-512"]) {
      saslProps[`listener.name.sasl_plaintext.${mechanism}.sasl.jaas.config`] =
        "org.apache.kafka.common.security.scram.ScramLoginModule required;";
    }
  }
  const props: Record<string, string | number | boolean> = {
    "process.roles": "broker,controller",
    "node.id": 1,
    "controller.quorum.voters": `1@${host}:${input.controllerPort}`,
    listeners: listeners.join(","),
    "advertised.listeners": advertised.join(","),
    "listener.security.protocol.map": protocols.join(","),
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
    ...saslProps,
    ...input.overrides,
  };
  return `${Object.entries(props)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join("\n")}\n`;
}

/**
 * A JAAS option value in double quotes. Test credentials only: characters that would need escaping
 * (in JAAS or in the .properties file around it) are refused rather than escaped.
 */
function jaasQuote(value: string): string {
  if (!/^[A-Za-z0-9._@+=-]+$/.test(value)) {
    throw new Error("testkit SASL user names and passwords may only use letters, digits and ._@+=-");
  }
  return `"${value}"`;
}
