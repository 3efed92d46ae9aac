// The RabbitMQ transport's configuration: typed, validated once, defaults beside each field.
// The URL may carry credentials; it is only ever shown with the password masked.
import {
  type BackoffConfig,
  ErrorCode,
  KytosEventsError,
  type Logger,
  silentLogger,
} from "@kytos-events/core";

export interface AmqpTlsConfig {
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Default true. */
  readonly rejectUnauthorized?: boolean;
  readonly servername?: string;
}

export interface AmqpTransportConfig {
  /** amqp:// or amqps:// URL with optional user:password and vhost. Default amqp://guest:guest@127.0.0.1:5672. */
  readonly url?: string;
  /** Overrides the URL's credentials (e.g. from a secret store). */
  readonly username?: string;
  readonly password?: string;
  /** TLS options for amqps:// URLs. */
  readonly tls?: AmqpTlsConfig;
  /** The durable topic exchange events are published to. Default "kytos.events". */
  readonly exchange?: string;
  /** "quorum" (default: replicated, delivery limit) or "classic". */
  readonly queueType?: "quorum" | "classic";
  /** Quorum queues: deliveries before a message is dead-lettered as poison. Default 20. */
  readonly deliveryLimit?: number;
  /** Queue name per subscription; placeholders {group} and {destination}. Default "{group}.{destination}". */
  readonly queueName?: string;
  /** One consumer at a time per queue, for strict per-queue order. Default false. */
  readonly singleActiveConsumer?: boolean;
  /** Connection heartbeat, seconds. Default 10. */
  readonly heartbeatSeconds?: number;
  /** TCP connect timeout, ms. Default 5000. */
  readonly connectionTimeoutMs?: number;
  /** How reconnection backs off after the connection is lost. Default 200 ms doubling to 5 s, forever. */
  readonly reconnect?: BackoffConfig;
  /** Largest value accepted, bytes (checked before publishing). Default 16 MiB. */
  readonly maxMessageBytes?: number;
  /** Published but unconfirmed messages before `send` waits for confirms. Default 5000. */
  readonly maxUnconfirmed?: number;
  readonly logger?: Logger;
}

export interface ResolvedAmqpConfig {
  readonly url: string;
  readonly socketOptions: Record<string, unknown>;
  readonly exchange: string;
  readonly queueType: "quorum" | "classic";
  readonly deliveryLimit: number;
  readonly queueName: string;
  readonly singleActiveConsumer: boolean;
  readonly heartbeatSeconds: number;
  readonly connectionTimeoutMs: number;
  readonly reconnect: BackoffConfig;
  readonly maxMessageBytes: number;
  readonly maxUnconfirmed: number;
  readonly logger: Logger;
  /** For messages: the URL without its password. */
  readonly safeUrl: string;
}

function invalid(message: string): KytosEventsError {
  return new KytosEventsError(ErrorCode.ConfigInvalid, `amqp transport: ${message}`);
}

export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString().replace(/\/$/, "");
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}

const NAME = /^[A-Za-z0-9._:-]{1,200}$/;

export function resolveAmqpConfig(config: AmqpTransportConfig = {}): ResolvedAmqpConfig {
  const raw = config.url ?? "amqp://guest:guest@127.0.0.1:5672";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(
      `url "${maskUrl(raw)}" is not a valid URL (expected amqp://user:password@host:5672/vhost).`,
    );
  }
  if (url.protocol !== "amqp:" && url.protocol !== "amqps:") {
    throw invalid(`url "${maskUrl(raw)}" must start with amqp:// or amqps://.`);
  }
  if (config.username !== undefined) url.username = encodeURIComponent(config.username);
  if (config.password !== undefined) url.password = encodeURIComponent(config.password);
  if (!url.searchParams.has("heartbeat"))
    url.searchParams.set("heartbeat", String(config.heartbeatSeconds ?? 10));
  const exchange = config.exchange ?? "kytos.events";
  if (!NAME.test(exchange))
    throw invalid(`exchange "${exchange}" must be 1-200 of letters, digits, '.', '_', ':', '-'.`);
  const queueType = config.queueType ?? "quorum";
  if (queueType !== "quorum" && queueType !== "classic")
    throw invalid(`queueType must be quorum or classic, got "${queueType}".`);
  const queueName = config.queueName ?? "{group}.{destination}";
  if (!queueName.includes("{group}") || !queueName.includes("{destination}")) {
    throw invalid(
      `queueName "${queueName}" must contain {group} and {destination}, so each group gets its own queue.`,
    );
  }
  const num = (v: number, name: string, min: number) => {
    if (!Number.isFinite(v) || v < min) throw invalid(`${name} must be a number >= ${min}, got ${v}.`);
    return v;
  };
  const tls = config.tls;
  return {
    url: url.toString(),
    safeUrl: maskUrl(url.toString()),
    socketOptions: {
      timeout: num(config.connectionTimeoutMs ?? 5000, "connectionTimeoutMs", 1),
      ...(tls
        ? {
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            rejectUnauthorized: tls.rejectUnauthorized ?? true,
            servername: tls.servername,
          }
        : {}),
    },
    exchange,
    queueType,
    deliveryLimit: num(config.deliveryLimit ?? 20, "deliveryLimit", 1),
    queueName,
    singleActiveConsumer: config.singleActiveConsumer ?? false,
    heartbeatSeconds: num(config.heartbeatSeconds ?? 10, "heartbeatSeconds", 0),
    connectionTimeoutMs: num(config.connectionTimeoutMs ?? 5000, "connectionTimeoutMs", 1),
    reconnect: config.reconnect ?? { initialDelayMs: 200, maxDelayMs: 5000, jitter: "equal" },
    maxMessageBytes: num(config.maxMessageBytes ?? 16 * 1024 * 1024, "maxMessageBytes", 1),
    maxUnconfirmed: num(config.maxUnconfirmed ?? 5000, "maxUnconfirmed", 1),
    logger: config.logger ?? silentLogger,
  };
}
