// The demo's command line: which transport, and how big a scenario. Validated here so a typo
// fails before anything starts, with the usage text.
import { parseArgs } from "node:util";
import type { ScenarioOptions } from "./scenario.js";

export type TransportKind = "memory" | "kafka" | "amqp";

export interface DemoOptions {
  /** Default "memory": the embedded transport, no broker needed. */
  readonly transport: TransportKind;
  readonly scenario: ScenarioOptions;
  /** Milliseconds between progress lines; 0 prints none. Default 1000. */
  readonly progressMs: number;
  /** Serve Prometheus metrics on this port of 127.0.0.1 during the run (0: a free port). Default: not served. */
  readonly metricsPort?: number;
}

export const USAGE = `usage: pnpm demo [-- options]

  --transport memory|kafka|amqp  memory (default): in process, no broker;
                                 kafka: KAFKA_BROKERS, or a Kafka started for the run;
                                 amqp: AMQP_URL (default amqp://guest:guest@127.0.0.1:5672)
  --switches N                   switches (and links) on the ring, default 40
  --evcs N                       circuits, default 60
  --flaps N                      link state changes, default 4000
  --seed N                       seed of the random choices, default 7
  --progress-ms N                ms between progress lines, 0 for none, default 1000
  --metrics-port N               serve Prometheus metrics at http://127.0.0.1:N/metrics
                                 during the run (0: a free port); default METRICS_PORT, else off
  --help`;

export class UsageError extends Error {}

function integer(text: string | undefined, name: string, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${text}".`);
  return n;
}

/** Parses argv (without node and the script); undefined means "--help was asked". */
export function parseOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): DemoOptions | undefined {
  // `pnpm demo -- --transport kafka` passes the "--" through.
  const args = argv[0] === "--" ? argv.slice(1) : [...argv];
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        transport: { type: "string" },
        switches: { type: "string" },
        evcs: { type: "string" },
        flaps: { type: "string" },
        seed: { type: "string" },
        "progress-ms": { type: "string" },
        "metrics-port": { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return undefined;
  const transport = (values.transport as string | undefined) ?? "memory";
  if (transport !== "memory" && transport !== "kafka" && transport !== "amqp") {
    throw new UsageError(`--transport must be memory, kafka or amqp, got "${transport}".`);
  }
  const text = (name: string) => values[name] as string | undefined;
  const metricsPort = text("metrics-port") ?? (env.METRICS_PORT || undefined);
  if (metricsPort !== undefined && integer(metricsPort, "metrics-port", 0, 0) > 65_535) {
    throw new UsageError(`--metrics-port must be a port number (0-65535), got "${metricsPort}".`);
  }
  return {
    transport,
    scenario: {
      switches: integer(text("switches"), "switches", 40, 3),
      evcs: integer(text("evcs"), "evcs", 60, 0),
      flaps: integer(text("flaps"), "flaps", 4000, 0),
      seed: integer(text("seed"), "seed", 7, 0),
    },
    progressMs: integer(text("progress-ms"), "progress-ms", 1000, 0),
    ...(metricsPort !== undefined ? { metricsPort: Number(metricsPort) } : {}),
  };
}
