// The server.properties of a single-node KRaft Kafka (broker and controller in one process),
// tuned for tests: everything replicated once, no rebalance delay, the log cleaner on so
// compacted topics compact.
import type { QuorumStyle } from "./kafka-version.js";

export interface ServerPropertiesOptions {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly logDir: string;
  /** "dynamic" (3.9+, formatted with --standalone) or "static" (`controller.quorum.voters`). */
  readonly quorum: QuorumStyle;
  /** Extra or overriding settings, e.g. `{ "message.max.bytes": "2097152" }`. */
  readonly overrides?: Readonly<Record<string, string>>;
}

export function renderServerProperties(o: ServerPropertiesOptions): string {
  const settings: Record<string, string> = {
    "process.roles": "broker,controller",
    "node.id": String(o.nodeId),
    ...(o.quorum === "dynamic"
      ? { "controller.quorum.bootstrap.servers": `${o.host}:${o.controllerPort}` }
      : { "controller.quorum.voters": `${o.nodeId}@${o.host}:${o.controllerPort}` }),
    listeners: `PLAINTEXT://${o.host}:${o.port},CONTROLLER://${o.host}:${o.controllerPort}`,
    "advertised.listeners": `PLAINTEXT://${o.host}:${o.port}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "log.dirs": o.logDir,
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "5",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
    // After a crash (kill()) the restarted node cannot register until its previous
    // registration's session expires: 9 s by default, 4 s here, so outage tests stay short.
    "broker.session.timeout.ms": "4000",
    "broker.heartbeat.interval.ms": "500",
    "num.partitions": "3",
    // Transports must create their topics with the partitions and cleanup policy they need;
    // auto-creation would hide a missing ensureDestinations behind a default 3-partition topic.
    "auto.create.topics.enable": "false",
    "log.cleaner.enable": "true",
    "log.cleaner.backoff.ms": "1000",
    "log.retention.check.interval.ms": "5000",
    ...o.overrides,
  };
  return `${Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")}\n`;
}
