// The RabbitMQ transport's configuration: typed, validated once at construction, defaults
// documented beside each field. Credentials (in the URL or given as options) live only in a
// private field of the endpoint: the resolved config, logs and error messages carry the URL
// with its password masked.
import {
  type BackoffConfig,
  BackoffPolicy,
  ErrorCode,
  KytosEventsError,
  type Logger,
  silentLogger,
} from "@kytos-events/core";

export interface AmqpTlsConfig {
  /** Trusted CA certificates (PEM); the system store when absent. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate and key (PEM), for brokers that require mutual TLS. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly passphrase?: string;
  /** Verify the broker's certificate. Default true; false only for local experiments. */
  readonly rejectUnauthorized?: boolean;
  /** SNI host name. Default: the URL's host. */
  readonly servername?: string;
}

export interface AmqpTransportConfig {
  /**
   * `amqp://` or `amqps://` URL, optionally with `user:password@` and a `/vhost` path (percent-
   * encode "/" in a vhost as %2F). Default `amqp://guest:guest@127.0.0.1:5672` (vhost "/").
   */
  readonly url?: string;
  /** Override the URL's user name and password (e.g. from a secret store). Never logged. */
  readonly username?: string;
  readonly password?: string;
  /** Override the URL's virtual host. */
  readonly vhost?: string;
  /** TLS settings; used with `amqps://` URLs (TLS is on exactly when the URL says amqps). */
  readonly tls?: AmqpTlsConfig;
  /** The durable topic exchange events are published to. Default "kytos.events". */
  readonly exchange?: string;
  /** Type of the consumer queues: "quorum" (default: replicated, delivery limit) or "classic". */
  readonly queueType?: "quorum" | "classic";
  /** Quorum queues: redeliveries after which the broker dead-letters a message as poison. Default 20. */
  readonly deliveryLimit?: number;
  /** Queue name per subscription; placeholders {group} and {destination}. Default "{group}.{destination}". */
  readonly queueName?: string;
  /** One consumer at a time per queue (the others stand by), for strict queue order. Default false. */
  readonly singleActiveConsumer?: boolean;
  /**
   * Delete a queue the transport declared once it has had no consumer for this long (AMQP
   * `x-expires`; messages in it go with it). For short-lived groups and tests. Default: never.
   */
  readonly queueExpiresMs?: number;
  /** Connection heartbeat, seconds; 0 disables. Default 10. */
  readonly heartbeatSeconds?: number;
  /** TCP (and TLS) connect timeout, ms. Default 5000. */
  readonly connectionTimeoutMs?: number;
  /** Backoff between reconnection attempts after the connection is lost. Default 200 ms doubling to 5 s, equal jitter, forever. */
  readonly reconnect?: BackoffConfig;
  /** Largest value accepted, bytes (checked before publishing). Default 16 MiB. */
  readonly maxMessageBytes?: number;
  /** Published but unconfirmed messages before `send` waits for confirms. Default 5000. */
  readonly maxUnconfirmed?: number;
  /** Shown by RabbitMQ (management UI, `rabbitmqctl list_connections`). Default "kytos-events". */
  readonly connectionName?: string;
  /** Where the transport reports reconnects and channel errors. Default: silent. */
  readonly logger?: Logger;
  /**
   * How often a subscription given a metrics sink asks RabbitMQ for its queues' ready-message
   * counts to report consumer lag, ms; 0 turns it off. Default 5000 (one short-lived channel
   * per subscription per round).
   */
  readonly consumerLagIntervalMs?: number;
}

/** A user name and password for AMQP's PLAIN login. */
export interface AmqpLogin {
  readonly username: string;
  readonly password: string;
}

/**
 * Where to connect and as whom. The URL it hands to amqplib carries no credentials; the login
 * is a private field, so inspecting or serialising the config shows no password.
 */
export class AmqpEndpoint {
  readonly #url: string;
  readonly #login: AmqpLogin | undefined;
  /** The URL with the user name and a masked password, for logs and messages. */
  readonly safeUrl: string;

  constructor(url: URL, login: AmqpLogin | undefined) {
    const bare = new URL(url);
    bare.username = "";
    bare.password = "";
    this.#url = bare.toString();
    this.#login = login;
    const shown = new URL(bare);
    if (login) {
      shown.username = encodeURIComponent(login.username);
      if (login.password) shown.password = "***";
    }
    this.safeUrl = shown.toString();
  }

  /** The URL without credentials, for amqplib's connect. */
  connectUrl(): string {
    return this.#url;
  }

  /** The login, or undefined for amqplib's default (guest/guest). */
  login(): AmqpLogin | undefined {
    return this.#login;
  }

  toJSON(): string {
    return this.safeUrl;
  }
}

export interface ResolvedAmqpConfig {
  readonly endpoint: AmqpEndpoint;
  readonly socketOptions: Readonly<Record<string, unknown>>;
  readonly exchange: string;
  readonly queueType: "quorum" | "classic";
  readonly deliveryLimit: number;
  readonly queueName: string;
  readonly singleActiveConsumer: boolean;
  readonly queueExpiresMs: number | undefined;
  readonly heartbeatSeconds: number;
  readonly connectionTimeoutMs: number;
  readonly reconnect: BackoffConfig;
  readonly maxMessageBytes: number;
  readonly maxUnconfirmed: number;
  readonly logger: Logger;
  readonly consumerLagIntervalMs: number;
}

export const DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";
const DEFAULT_RECONNECT: BackoffConfig = { initialDelayMs: 200, maxDelayMs: 5000, jitter: "equal" };
// Exchange and queue names: what RabbitMQ accepts minus whitespace and the reserved "amq." prefix.
const NAME = /^(?!amq\.)[A-Za-z0-9._:-]{1,200}$/;

function invalid(message: string): KytosEventsError {
  return new KytosEventsError(ErrorCode.ConfigInvalid, `amqp transport: ${message}`);
}

/** The URL with its password replaced by "***" (also for strings that do not parse as URLs). */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    // Unparsable: hide everything up to the last "@", user name included.
    return url.replace(/\/\/.*@/, "//***@");
  }
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`url "${maskUrl(raw)}" is not a valid URL: expected amqp://user:password@host:5672/vhost.`);
  }
  if (url.protocol !== "amqp:" && url.protocol !== "amqps:") {
    throw invalid(`url "${maskUrl(raw)}" must start with amqp:// or amqps://, not ${url.protocol}//.`);
  }
  if (!url.hostname) throw invalid(`url "${maskUrl(raw)}" has no host name.`);
  return url;
}

function number(value: number, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw invalid(`${name} must be a number in ${min}..${max}, got ${value}.`);
  }
  return value;
}

export function resolveAmqpConfig(config: AmqpTransportConfig = {}): ResolvedAmqpConfig {
  const url = parseUrl(config.url ?? DEFAULT_AMQP_URL);
  const username = config.username ?? decodeURIComponent(url.username);
  const password = config.password ?? decodeURIComponent(url.password);
  const login = username || password ? { username, password } : undefined;
  if (config.vhost !== undefined) url.pathname = `/${encodeURIComponent(config.vhost)}`;
  const heartbeatSeconds = number(config.heartbeatSeconds ?? 10, "heartbeatSeconds", 0, 3600);
  if (!url.searchParams.has("heartbeat")) url.searchParams.set("heartbeat", String(heartbeatSeconds));

  const exchange = config.exchange ?? "kytos.events";
  if (!NAME.test(exchange)) {
    throw invalid(
      `exchange "${exchange}" must be 1-200 letters, digits, '.', '_', ':', '-' and not start with "amq.".`,
    );
  }
  const queueType = config.queueType ?? "quorum";
  if (queueType !== "quorum" && queueType !== "classic") {
    throw invalid(`queueType must be "quorum" or "classic", got "${queueType}".`);
  }
  const queueName = config.queueName ?? "{group}.{destination}";
  if (!queueName.includes("{group}") || !queueName.includes("{destination}")) {
    throw invalid(
      `queueName "${queueName}" must contain {group} and {destination}, so each group gets its own queue.`,
    );
  }
  const reconnect = { ...DEFAULT_RECONNECT, ...config.reconnect };
  new BackoffPolicy(reconnect); // validates, throwing ConfigInvalid
  const connectionTimeoutMs = number(config.connectionTimeoutMs ?? 5000, "connectionTimeoutMs", 1);
  const tls = config.tls;
  if (tls && url.protocol !== "amqps:") {
    throw invalid(
      `tls options were given but url "${maskUrl(url.toString())}" is amqp://: use amqps:// for TLS.`,
    );
  }
  if (tls && (tls.cert === undefined) !== (tls.key === undefined)) {
    throw invalid(
      "tls.cert and tls.key go together: a client certificate needs its private key, and a key its certificate.",
    );
  }
  if (tls?.rejectUnauthorized !== undefined && typeof tls.rejectUnauthorized !== "boolean") {
    throw invalid(
      `tls.rejectUnauthorized must be true or false, got ${JSON.stringify(tls.rejectUnauthorized)}.`,
    );
  }
  return {
    endpoint: new AmqpEndpoint(url, login),
    socketOptions: {
      timeout: connectionTimeoutMs,
      clientProperties: { connection_name: config.connectionName ?? "kytos-events" },
      ...(tls
        ? {
            ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
            ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
            ...(tls.key !== undefined ? { key: tls.key } : {}),
            ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
            ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
            rejectUnauthorized: tls.rejectUnauthorized ?? true,
          }
        : {}),
    },
    exchange,
    queueType,
    deliveryLimit: number(config.deliveryLimit ?? 20, "deliveryLimit", 1),
    queueName,
    singleActiveConsumer: config.singleActiveConsumer ?? false,
    queueExpiresMs:
      config.queueExpiresMs === undefined ? undefined : number(config.queueExpiresMs, "queueExpiresMs", 1),
    heartbeatSeconds,
    connectionTimeoutMs,
    reconnect,
    maxMessageBytes: number(
      config.maxMessageBytes ?? 16 * 1024 * 1024,
      "maxMessageBytes",
      1,
      512 * 1024 * 1024,
    ),
    maxUnconfirmed: number(config.maxUnconfirmed ?? 5000, "maxUnconfirmed", 1),
    logger: config.logger ?? silentLogger,
    consumerLagIntervalMs: number(
      config.consumerLagIntervalMs ?? 5000,
      "consumerLagIntervalMs",
      0,
      2 ** 31 - 1,
    ),
  };
}
