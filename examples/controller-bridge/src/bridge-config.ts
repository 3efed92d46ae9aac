// The bridge's configuration file (JSON): read at start and again on SIGHUP, validated whole
// before anything uses it — an unknown key, a wrong type or a bad value is an error naming
// the key, so a typo never silently changes what is published. Defaults beside each field.
import { readFile } from "node:fs/promises";
import { ErrorCode, type EventFilterConfig, KytosEventsError, type RoutingConfig } from "@kytos-events/core";
import type { LaneBufferConfig } from "@kytos-events/producer";

export type OutputTransportConfig =
  | {
      readonly kind: "kafka";
      /** Bootstrap brokers, "host:port,…" or a list. */
      readonly brokers: string | readonly string[];
    }
  | {
      readonly kind: "amqp";
      /** Default amqp://guest:guest@127.0.0.1:5672. */
      readonly url?: string;
      /** Default "kytos.events". */
      readonly exchange?: string;
    };

/** The second ingest mode: republish kytos-ng/kafka_events' schema-less topic, typed. */
export interface EventLogsConfig {
  /** Kafka holding the topic. Default: the output transport's brokers (it must then be Kafka). */
  readonly brokers?: string | readonly string[];
  /** Default "event_logs" (kafka_events' topic). */
  readonly topic?: string;
  /** Consumer group. Default "kytos-events-bridge". */
  readonly group?: string;
  /** Where a group with no committed position starts. Default "latest": only events from now on. */
  readonly from?: "latest" | "beginning";
  /** Records that do not map go here, with the reason in a header. Default "<topic>.dlq". */
  readonly deadLetterTopic?: string;
  /** Records read ahead of their republish acknowledgement. Default 1000. */
  readonly maxInFlight?: number;
}

export interface BridgeConfig {
  /** The controller instance (envelope `source`). Required. Needs a restart to change. */
  readonly source: string;
  /** Default 127.0.0.1:8787; port 0 picks a free one. Needs a restart to change. */
  readonly listen: { readonly host: string; readonly port: number };
  readonly transport: OutputTransportConfig;
  /** Anchored regexes over event names. Default: everything. */
  readonly filter: EventFilterConfig;
  /** Destination names (core's RoutingConfig). Default: core's defaults. */
  readonly routing: RoutingConfig;
  /** The producer's outage buffer. Default 10 000 events, 64 MiB, drop-oldest (counted). */
  readonly buffer: LaneBufferConfig;
  /** Largest request body, bytes. Default 1 MiB. */
  readonly maxBodyBytes: number;
  /** Absent: the HTTP endpoint only. */
  readonly eventLogs: Required<EventLogsConfig> | undefined;
}

class Checker {
  constructor(private readonly file: string) {}

  fail(path: string, problem: string): never {
    throw new KytosEventsError(ErrorCode.ConfigInvalid, `config ${this.file}: ${path} ${problem}`);
  }

  object(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value))
      this.fail(path, "must be an object.");
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) this.fail(`${path}.${key}`, `is not a setting (known: ${keys.join(", ")}).`);
    }
    return value as Record<string, unknown>;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== "string" || value === "") this.fail(path, "must be a non-empty string.");
    return value;
  }

  brokers(value: unknown, path: string): string | string[] {
    if (Array.isArray(value)) return value.map((b, i) => this.string(b, `${path}[${i}]`));
    return this.string(value, path);
  }

  integer(value: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      this.fail(path, `must be an integer from ${min} to ${max}.`);
    }
    return value as number;
  }

  patterns(value: unknown, path: string): string[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) this.fail(path, "must be a list of regular expressions.");
    return value.map((p, i) => this.string(p, `${path}[${i}]`));
  }
}

function transport(c: Checker, value: unknown): OutputTransportConfig {
  const t = c.object(value, "transport", ["kind", "brokers", "url", "exchange"]);
  if (t.kind === "kafka") {
    if (t.url !== undefined || t.exchange !== undefined)
      c.fail("transport", "of kind kafka takes brokers only.");
    return { kind: "kafka", brokers: c.brokers(t.brokers, "transport.brokers") };
  }
  if (t.kind === "amqp") {
    if (t.brokers !== undefined) c.fail("transport", "of kind amqp takes url and exchange, not brokers.");
    return {
      kind: "amqp",
      ...(t.url !== undefined ? { url: c.string(t.url, "transport.url") } : {}),
      ...(t.exchange !== undefined ? { exchange: c.string(t.exchange, "transport.exchange") } : {}),
    };
  }
  return c.fail("transport.kind", `must be "kafka" or "amqp", got ${JSON.stringify(t.kind)}.`);
}

function eventLogs(
  c: Checker,
  value: unknown,
  output: OutputTransportConfig,
): Required<EventLogsConfig> | undefined {
  if (value === undefined) return undefined;
  const e = c.object(value, "eventLogs", [
    "brokers",
    "topic",
    "group",
    "from",
    "deadLetterTopic",
    "maxInFlight",
  ]);
  if (e.brokers === undefined && output.kind !== "kafka") {
    c.fail("eventLogs.brokers", "is required when the output transport is not Kafka.");
  }
  if (e.from !== undefined && e.from !== "latest" && e.from !== "beginning") {
    c.fail("eventLogs.from", `must be "latest" or "beginning", got ${JSON.stringify(e.from)}.`);
  }
  const topic = e.topic === undefined ? "event_logs" : c.string(e.topic, "eventLogs.topic");
  return {
    brokers:
      e.brokers === undefined
        ? (output as { brokers: string | string[] }).brokers
        : c.brokers(e.brokers, "eventLogs.brokers"),
    topic,
    group: e.group === undefined ? "kytos-events-bridge" : c.string(e.group, "eventLogs.group"),
    from: (e.from as "latest" | "beginning" | undefined) ?? "latest",
    deadLetterTopic:
      e.deadLetterTopic === undefined
        ? `${topic}.dlq`
        : c.string(e.deadLetterTopic, "eventLogs.deadLetterTopic"),
    maxInFlight:
      e.maxInFlight === undefined ? 1000 : c.integer(e.maxInFlight, "eventLogs.maxInFlight", 1, 65_535),
  };
}

export function parseBridgeConfig(json: unknown, file: string): BridgeConfig {
  const c = new Checker(file);
  const root = c.object(json, "(top level)", [
    "source",
    "listen",
    "transport",
    "filter",
    "routing",
    "buffer",
    "maxBodyBytes",
    "eventLogs",
  ]);
  const listen = c.object(root.listen ?? {}, "listen", ["host", "port"]);
  const filter = c.object(root.filter ?? {}, "filter", ["allow", "deny"]);
  const allow = c.patterns(filter.allow, "filter.allow");
  const deny = c.patterns(filter.deny, "filter.deny");
  const output = transport(c, root.transport);
  // routing and buffer are handed to core and the producer, which validate their values.
  const routing = c.object(root.routing ?? {}, "routing", [
    "nappDestination",
    "verboseDestination",
    "statusDestination",
    "partitions",
    "statusPartitions",
  ]) as RoutingConfig;
  const buffer = c.object(root.buffer ?? {}, "buffer", [
    "maxEvents",
    "maxBytes",
    "overflow",
  ]) as LaneBufferConfig;
  return {
    source: c.string(root.source, "source"),
    listen: {
      host: listen.host === undefined ? "127.0.0.1" : c.string(listen.host, "listen.host"),
      port: listen.port === undefined ? 8787 : c.integer(listen.port, "listen.port", 0, 65_535),
    },
    transport: output,
    filter: { ...(allow ? { allow } : {}), ...(deny ? { deny } : {}) },
    routing,
    buffer,
    maxBodyBytes:
      root.maxBodyBytes === undefined ? 1024 * 1024 : c.integer(root.maxBodyBytes, "maxBodyBytes", 1024),
    eventLogs: eventLogs(c, root.eventLogs, output),
  };
}

/** Reads and validates the file; every problem is a KE_CONFIG_INVALID naming the file. */
export async function loadBridgeConfig(file: string): Promise<BridgeConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new KytosEventsError(
      ErrorCode.ConfigInvalid,
      `config ${file}: cannot be read: ${(err as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new KytosEventsError(
      ErrorCode.ConfigInvalid,
      `config ${file}: is not JSON: ${(err as Error).message}`,
    );
  }
  return parseBridgeConfig(json, file);
}
