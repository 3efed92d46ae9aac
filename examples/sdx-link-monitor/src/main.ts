// The SDX link monitor: connects to Kafka or RabbitMQ, prints the state of the OXP's links
// once the compacted link-status destination is read, then every down/up transition, until
// SIGINT or SIGTERM. Exit codes: 0 after a signal, 1 when the broker or destination fails,
// 2 for a usage error.
import { createAmqpTransport } from "@kytos-events/amqp";
import type { Transport } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import { LinkMonitor } from "./link-monitor.js";
import { type MetricsEndpoint, openMetricsEndpoint } from "./metrics-endpoint.js";
import { type MonitorOptions, parseOptions, USAGE, UsageError } from "./options.js";
import { snapshotLines, transitionLine } from "./output.js";
import { withSubscriptionMetrics } from "./subscription-metrics.js";

/** RabbitMQ: each start reads through a queue of its own, removed by the broker when unused this long. */
const AMQP_QUEUE_EXPIRES_MS = 10 * 60_000;

function transportFor(options: MonitorOptions): Transport {
  if (options.transport === "kafka") {
    return createKafkaTransport({ brokers: options.brokers!, clientId: "sdx-link-monitor" });
  }
  return createAmqpTransport({
    ...(options.url ? { url: options.url } : {}),
    exchange: options.exchange,
    queueExpiresMs: AMQP_QUEUE_EXPIRES_MS,
    connectionName: "sdx-link-monitor",
  });
}

async function main(argv: readonly string[]): Promise<number> {
  let options: MonitorOptions | undefined;
  try {
    options = parseOptions(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`sdx-link-monitor: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  let endpoint: MetricsEndpoint;
  try {
    endpoint = await openMetricsEndpoint(options.metricsPort);
  } catch (err) {
    console.error(`sdx-link-monitor: ${(err as Error).message}`);
    return 1;
  }
  // On stderr: stdout is the monitor's report (JSON lines with --json).
  if (endpoint.url) console.error(`sdx-link-monitor: metrics at ${endpoint.url}`);
  const transport = withSubscriptionMetrics(transportFor(options), endpoint.metrics);
  const monitor = new LinkMonitor({
    metrics: endpoint.metrics,
    table: { transport, destination: options.destination, coalesceMs: options.coalesceMs },
    oxp: options.oxp,
    interDomainKey: options.interDomainKey,
    interDomainOnly: options.interDomainOnly,
    onTransition: (t) => console.log(transitionLine(t, options.json)),
  });
  // `on`, not `once`: a second signal (a terminal and a process manager both sending one)
  // must not kill the process in the middle of stopping.
  const stopped = new Promise<string>((resolve) => {
    process.on("SIGINT", () => resolve("SIGINT"));
    process.on("SIGTERM", () => resolve("SIGTERM"));
  });
  try {
    await transport.connect();
    const links = await Promise.race([monitor.start(), stopped]);
    if (Array.isArray(links)) {
      for (const line of snapshotLines(links, options.json)) console.log(line);
    }
    const signal = await stopped;
    console.error(`sdx-link-monitor: ${signal}, stopping`);
    return 0;
  } catch (err) {
    console.error(`sdx-link-monitor: ${(err as Error).message}`);
    return 1;
  } finally {
    await monitor.stop().catch(() => {});
    await transport.close().catch(() => {});
    await endpoint.close().catch(() => {});
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`sdx-link-monitor failed: ${(err as Error).message ?? String(err)}`);
    process.exitCode = 1;
  },
);
