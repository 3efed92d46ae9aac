// The controller bridge process: `--config bridge.json` (or BRIDGE_CONFIG), optionally
// `--metrics-port N` (Prometheus) and `--otel-console` (spans on stdout). Prints where it
// listens; SIGHUP re-reads the configuration; SIGINT/SIGTERM stop it, sending what it holds.
// Exit codes: 0 after a clean stop, 1 when it cannot start or events were lost at stop, 2 for
// a usage error.
import { parseArgs } from "node:util";
import type { Logger } from "@kytos-events/core";
import { Bridge } from "./bridge.js";
import { type ConsoleTracing, startConsoleTracing } from "./console-tracing.js";
import { type MetricsEndpoint, openMetricsEndpoint } from "./metrics-endpoint.js";

const USAGE = `usage: pnpm --filter @kytos-events/example-controller-bridge start -- --config bridge.json

  --config FILE      the JSON configuration (default: BRIDGE_CONFIG); see bridge.example.json
  --metrics-port N   serve Prometheus metrics at http://127.0.0.1:N/metrics (0: a free port);
                     default METRICS_PORT, else off
  --otel-console     print OpenTelemetry spans to stdout (also OTEL_TRACES=console)
  --help`;

const line = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>) =>
  console.error(
    `bridge ${level}: ${message}${fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ""}`,
  );
const logger: Logger = { debug: () => {}, info: line("info"), warn: line("warn"), error: line("error") };

async function main(argv: readonly string[]): Promise<number> {
  let config: string | undefined;
  let metricsPort: number | undefined;
  let otelConsole: boolean;
  try {
    const { values } = parseArgs({
      args: argv[0] === "--" ? argv.slice(1) : [...argv],
      options: {
        config: { type: "string" },
        "metrics-port": { type: "string" },
        "otel-console": { type: "boolean" },
        help: { type: "boolean" },
      },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    config = values.config ?? process.env.BRIDGE_CONFIG;
    metricsPort = port(values["metrics-port"] ?? (process.env.METRICS_PORT || undefined));
    otelConsole = values["otel-console"] === true || process.env.OTEL_TRACES === "console";
  } catch (err) {
    console.error(`bridge: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!config) {
    console.error(`bridge: no configuration: pass --config or set BRIDGE_CONFIG.\n${USAGE}`);
    return 2;
  }
  let bridge: Bridge;
  let endpoint: MetricsEndpoint;
  const tracing: ConsoleTracing | undefined = otelConsole ? startConsoleTracing() : undefined;
  try {
    endpoint = await openMetricsEndpoint(metricsPort);
  } catch (err) {
    console.error(`bridge: cannot start: ${(err as Error).message}`);
    return 1;
  }
  try {
    bridge = await Bridge.start(config, logger, {
      metrics: endpoint.metrics,
      ...(tracing ? { tracing: tracing.tracing } : {}),
    });
  } catch (err) {
    console.error(`bridge: cannot start: ${(err as Error).message}`);
    await endpoint.close();
    return 1;
  }
  if (endpoint.url) console.log(`bridge: metrics at ${endpoint.url}`);
  // The pid is this process's own: `start` runs it under tsx, which passes on SIGINT and
  // SIGTERM but not SIGHUP, so a reload must be sent here.
  console.log(
    `bridge: listening on ${bridge.url} (POST /events, GET /healthz); pid ${process.pid}, kill -HUP ${process.pid} reloads`,
  );
  process.on("SIGHUP", () => {
    logger.info("SIGHUP: reloading the configuration");
    void bridge.reload();
  });
  const signal = await new Promise<string>((resolve) => {
    process.on("SIGINT", () => resolve("SIGINT"));
    process.on("SIGTERM", () => resolve("SIGTERM"));
  });
  logger.info(`${signal}: stopping, sending what is buffered`);
  const report = await bridge.stop();
  await tracing?.close().catch(() => {});
  await endpoint.close().catch(() => {});
  if (report.lost > 0) {
    logger.error(`${report.lost} event(s) could not be sent before the deadline and are lost`);
    return 1;
  }
  logger.info("stopped, nothing lost");
  return 0;
}

/** A port number, or undefined when not given; a usage error otherwise. */
function port(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65_535)
    throw new Error(`--metrics-port must be a port number (0-65535), got "${text}".`);
  return n;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bridge failed: ${(err as Error).message ?? String(err)}`);
    process.exitCode = 1;
  },
);
