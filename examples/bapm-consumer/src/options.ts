// The BAPM consumer's command line and environment, validated before anything connects.
import { parseArgs } from "node:util";

export interface BapmOptions {
  readonly transport: "kafka" | "amqp";
  readonly brokers: string | undefined;
  readonly url: string | undefined;
  readonly exchange: string;
  readonly databaseUrl: string;
  readonly group: string;
  /** Template of the NApp destinations ({topic}: "kytos.mef_eline"), as the producer's routing. */
  readonly nappDestination: string;
  readonly tablePrefix: string;
  readonly concurrency: number;
  readonly sessionTimeoutMs: number;
  readonly statsMs: number;
  /** Serve Prometheus metrics on this port of 127.0.0.1 (0: a free one). Default: not served. */
  readonly metricsPort: number | undefined;
  /** Print OpenTelemetry spans to stdout (ConsoleSpanExporter). */
  readonly otelConsole: boolean;
}

export const USAGE = `usage: pnpm --filter @kytos-events/example-bapm-consumer start -- [options]

  --transport kafka|amqp     default: kafka when --brokers or KAFKA_BROKERS is set, else amqp
  --brokers host:port,...    Kafka (default KAFKA_BROKERS)
  --url amqp://...           RabbitMQ (default AMQP_URL, else amqp://guest:guest@127.0.0.1:5672)
  --exchange NAME            RabbitMQ exchange of the controller side, default kytos.events
  --database-url URL         PostgreSQL (default DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)
  --group NAME               consumer group, default bapm
  --napp-destination T       NApp destination template as the producer routes, default {topic}
  --table-prefix P           prefix of BAPM's tables, default bapm_
  --concurrency N            handlers at once, default 8
  --session-timeout-ms N     Kafka group session timeout, default 30000
  --stats-ms N               ms between stats lines, 0 for none, default 5000
  --metrics-port N           serve Prometheus metrics at http://127.0.0.1:N/metrics (0: a free port);
                             default METRICS_PORT, else off
  --otel-console             print OpenTelemetry spans to stdout (also OTEL_TRACES=console)
  --help`;

export class UsageError extends Error {}

function integer(text: string | undefined, name: string, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${text}".`);
  return n;
}

/** Undefined when --help was asked. */
export function parseOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): BapmOptions | undefined {
  const string = { type: "string" } as const;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv[0] === "--" ? argv.slice(1) : [...argv],
      options: {
        transport: string,
        brokers: string,
        url: string,
        exchange: string,
        "database-url": string,
        group: string,
        "napp-destination": string,
        "table-prefix": string,
        concurrency: string,
        "session-timeout-ms": string,
        "stats-ms": string,
        "metrics-port": string,
        "otel-console": { type: "boolean" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return undefined;
  const text = (name: string) => values[name] as string | undefined;
  const brokers = text("brokers") ?? env.KAFKA_BROKERS;
  const transport = text("transport") ?? (brokers ? "kafka" : "amqp");
  if (transport !== "kafka" && transport !== "amqp") {
    throw new UsageError(`--transport must be kafka or amqp, got "${transport}".`);
  }
  if (transport === "kafka" && !brokers)
    throw new UsageError("--transport kafka needs --brokers or KAFKA_BROKERS.");
  const tablePrefix = text("table-prefix") ?? "bapm_";
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(tablePrefix)) {
    throw new UsageError(`--table-prefix must be lower-case letters, digits and "_", got "${tablePrefix}".`);
  }
  const metricsPort = text("metrics-port") ?? (env.METRICS_PORT || undefined);
  if (metricsPort !== undefined && integer(metricsPort, "metrics-port", 0, 0) > 65_535) {
    throw new UsageError(`--metrics-port must be a port number (0-65535), got "${metricsPort}".`);
  }
  return {
    transport,
    brokers,
    url: text("url") ?? env.AMQP_URL,
    exchange: text("exchange") ?? "kytos.events",
    databaseUrl: text("database-url") ?? env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    group: text("group") ?? "bapm",
    nappDestination: text("napp-destination") ?? "{topic}",
    tablePrefix,
    concurrency: integer(text("concurrency"), "concurrency", 8, 1),
    sessionTimeoutMs: integer(text("session-timeout-ms"), "session-timeout-ms", 30_000, 6000),
    statsMs: integer(text("stats-ms"), "stats-ms", 5000, 0),
    metricsPort: metricsPort === undefined ? undefined : Number(metricsPort),
    otelConsole: values["otel-console"] === true || env.OTEL_TRACES === "console",
  };
}
