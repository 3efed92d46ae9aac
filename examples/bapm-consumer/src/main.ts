// The BAPM consumer process: EVC lifecycle and link events from Kafka or RabbitMQ into
// PostgreSQL, effectively once, until SIGINT or SIGTERM (a graceful stop: handlers finish and
// settle). A stats line every few seconds and at the end. Exit codes: 0 after a signal, 1 when
// the broker or the database fails at start, 2 for a usage error.
import { createAmqpTransport } from "@kytos-events/amqp";
import { type Logger, Router, type Transport } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import pg from "pg";
import { BapmConsumer, type BapmStats } from "./bapm-consumer.js";
import { type ConsoleTracing, startConsoleTracing } from "./console-tracing.js";
import { type MetricsEndpoint, openMetricsEndpoint } from "./metrics-endpoint.js";
import { type BapmOptions, parseOptions, USAGE, UsageError } from "./options.js";
import { bapmTables } from "./tables.js";

const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (message, fields) => console.error(`bapm: ${message}`, fields ? JSON.stringify(fields) : ""),
  error: (message, fields) => console.error(`bapm: ${message}`, fields ? JSON.stringify(fields) : ""),
};

function transportFor(o: BapmOptions): Transport {
  if (o.transport === "kafka") {
    return createKafkaTransport({
      brokers: o.brokers!,
      clientId: "bapm",
      consumer: {
        sessionTimeoutMs: o.sessionTimeoutMs,
        heartbeatIntervalMs: Math.min(3000, Math.floor(o.sessionTimeoutMs / 3)),
      },
      logger,
    });
  }
  return createAmqpTransport({
    ...(o.url ? { url: o.url } : {}),
    exchange: o.exchange,
    connectionName: "bapm",
    logger,
  });
}

const statsLine = (s: BapmStats) =>
  `received ${s.received}, applied ${s.applied}, duplicates ${s.duplicates}, retries ${s.retries}, ` +
  `dead-lettered ${s.deadLettered}`;

async function main(argv: readonly string[]): Promise<number> {
  let options: BapmOptions | undefined;
  try {
    options = parseOptions(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`bapm: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  // The destinations the producer routes mef_eline and topology events to, declared as it
  // would (RabbitMQ binds the group's queues from them).
  const router = new Router({ nappDestination: options.nappDestination });
  const destinations = ["kytos/mef_eline.created", "kytos/topology.link_up"].map(
    (e) => router.route(e, "broker")[0]!,
  );
  const specs = router.destinationSpecs().filter((s) => destinations.includes(s.name));
  let endpoint: MetricsEndpoint;
  try {
    endpoint = await openMetricsEndpoint(options.metricsPort);
  } catch (err) {
    console.error(`bapm: ${(err as Error).message}`);
    return 1;
  }
  if (endpoint.url) console.log(`bapm: metrics at ${endpoint.url}`);
  const tracing: ConsoleTracing | undefined = options.otelConsole ? startConsoleTracing() : undefined;
  const transport = transportFor(options);
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.concurrency + 2,
    // Shown in pg_stat_activity: which sessions are BAPM's.
    application_name: "bapm",
  });
  pool.on("error", (err) => logger.error("idle PostgreSQL connection failed", { error: err.message }));
  const bapm = new BapmConsumer({
    transport,
    pool,
    tables: bapmTables(options.tablePrefix),
    group: options.group,
    destinations,
    concurrency: options.concurrency,
    logger,
    metrics: endpoint.metrics,
    ...(tracing ? { tracing: tracing.tracing } : {}),
  });
  const stopped = new Promise<string>((resolve) => {
    process.on("SIGINT", () => resolve("SIGINT"));
    process.on("SIGTERM", () => resolve("SIGTERM"));
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await transport.connect();
    await transport.ensureDestinations(specs);
    await bapm.start();
    console.log(`bapm: consuming ${destinations.join(", ")} as group "${options.group}"`);
    if (options.statsMs > 0)
      timer = setInterval(() => console.log(`bapm: ${statsLine(bapm.stats())}`), options.statsMs);
    const signal = await stopped;
    clearInterval(timer);
    const report = await bapm.stop();
    console.log(`bapm stopped (${signal}): ${statsLine(bapm.stats())}, left unsettled ${report.unsettled}`);
    return 0;
  } catch (err) {
    console.error(`bapm: ${(err as Error).message}`);
    return 1;
  } finally {
    clearInterval(timer);
    await bapm.stop(1000).catch(() => {});
    await transport.close().catch(() => {});
    await pool.end().catch(() => {});
    await tracing?.close().catch(() => {});
    await endpoint.close().catch(() => {});
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bapm failed: ${(err as Error).message ?? String(err)}`);
    process.exitCode = 1;
  },
);
