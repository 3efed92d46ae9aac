// The monitor's command line and environment, validated before anything connects.
import { parseArgs } from "node:util";

export interface MonitorOptions {
  readonly transport: "kafka" | "amqp";
  /** Kafka bootstrap brokers (--brokers, else KAFKA_BROKERS). */
  readonly brokers: string | undefined;
  /** RabbitMQ URL (--url, else AMQP_URL). */
  readonly url: string | undefined;
  /** RabbitMQ exchange the producer publishes to. Default "kytos.events". */
  readonly exchange: string;
  /** The compacted link-status destination. Default "kytos.status.link". */
  readonly destination: string;
  /** The OXP's name in SDX URNs. Default "kytos.local". */
  readonly oxp: string;
  /** Metadata key marking inter-domain links (on the link or a port). Default "sdx_nni". */
  readonly interDomainKey: string;
  readonly interDomainOnly: boolean;
  /** How long changes of a link gather before one report, ms. Default 500. */
  readonly coalesceMs: number;
  /** JSON lines instead of text. */
  readonly json: boolean;
  /** Serve Prometheus metrics on this port of 127.0.0.1 (0: a free one). Default: not served. */
  readonly metricsPort: number | undefined;
}

export const USAGE = `usage: pnpm --filter @kytos-events/example-sdx-link-monitor start -- [options]

  --transport kafka|amqp   default: kafka when --brokers or KAFKA_BROKERS is set, else amqp
  --brokers host:port,...  Kafka (default KAFKA_BROKERS)
  --url amqp://...         RabbitMQ (default AMQP_URL, else amqp://guest:guest@127.0.0.1:5672)
  --exchange NAME          RabbitMQ exchange the controller side publishes to, default kytos.events
  --destination NAME       the compacted link-status destination, default kytos.status.link
  --oxp NAME               the OXP in SDX URNs (urn:sdx:link:<oxp>:<link name>), default kytos.local
  --inter-domain-key KEY   metadata key (on a link or its ports) marking inter-domain links, default sdx_nni
  --inter-domain-only      only inter-domain links
  --coalesce-ms N          changes of a link within N ms are reported once (flap damping), default 500
  --json                   one JSON object per line
  --metrics-port N         serve Prometheus metrics at http://127.0.0.1:N/metrics (0: a free port;
                           the URL goes to stderr); default METRICS_PORT, else off
  --help`;

export class UsageError extends Error {}

/** Undefined when --help was asked. */
export function parseOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): MonitorOptions | undefined {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv[0] === "--" ? argv.slice(1) : [...argv],
      options: {
        transport: { type: "string" },
        brokers: { type: "string" },
        url: { type: "string" },
        exchange: { type: "string" },
        destination: { type: "string" },
        oxp: { type: "string" },
        "inter-domain-key": { type: "string" },
        "inter-domain-only": { type: "boolean" },
        "coalesce-ms": { type: "string" },
        json: { type: "boolean" },
        "metrics-port": { type: "string" },
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
  const url = text("url") ?? env.AMQP_URL;
  const transport = text("transport") ?? (brokers ? "kafka" : "amqp");
  if (transport !== "kafka" && transport !== "amqp") {
    throw new UsageError(`--transport must be kafka or amqp, got "${transport}".`);
  }
  if (transport === "kafka" && !brokers)
    throw new UsageError("--transport kafka needs --brokers or KAFKA_BROKERS.");
  const destination = text("destination") ?? "kytos.status.link";
  const oxp = text("oxp") ?? "kytos.local";
  const interDomainKey = text("inter-domain-key") ?? "sdx_nni";
  const exchange = text("exchange") ?? "kytos.events";
  if ([destination, oxp, interDomainKey, exchange].includes("")) {
    throw new UsageError("--destination, --oxp, --inter-domain-key and --exchange must not be empty.");
  }
  const coalesceText = text("coalesce-ms") ?? "500";
  const coalesceMs = Number(coalesceText);
  if (!Number.isInteger(coalesceMs) || coalesceMs < 0) {
    throw new UsageError(`--coalesce-ms must be an integer >= 0, got "${coalesceText}".`);
  }
  const metricsText = text("metrics-port") ?? (env.METRICS_PORT || undefined);
  const metricsPort = metricsText === undefined ? undefined : Number(metricsText);
  if (metricsText !== undefined && !(/^\d+$/.test(metricsText) && metricsPort! <= 65_535)) {
    throw new UsageError(`--metrics-port must be a port number (0-65535), got "${metricsText}".`);
  }
  return {
    transport,
    coalesceMs,
    metricsPort,
    brokers,
    url,
    exchange,
    destination,
    oxp,
    interDomainKey,
    interDomainOnly: values["inter-domain-only"] === true,
    json: values.json === true,
  };
}
