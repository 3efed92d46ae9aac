// The producer's configuration: typed, validated completely before anything starts (or, on
// reload, before anything is swapped), with each default stated beside its field.
import {
  type BackoffConfig,
  BackoffPolicy,
  ErrorCode,
  type EventFilterConfig,
  KytosEventsError,
  type Logger,
  type Metrics,
  noopMetrics,
  type OutageBufferConfig,
  Pipeline,
  type RoutingConfig,
  silentLogger,
  type Transport,
  type WireFormat,
} from "@kytos-events/core";
import type { PublishHook } from "./publish-hook.js";
import type { SequenceStore } from "./sequence/sequence-store.js";
import type { SpoolConfig } from "./spool/spool.js";

/** A lane's outage buffer. Publishing never waits, so the "wait" policy is not offered. */
export interface LaneBufferConfig extends Omit<OutageBufferConfig, "overflow" | "waitTimeoutMs"> {
  /**
   * When the buffer is full and no spool takes the event: "drop-oldest" (default: for status
   * streams the newest state matters most) or "drop-newest". Every drop is counted.
   */
  readonly overflow?: "drop-oldest" | "drop-newest";
}

/** One transport with its own filter, routing, buffer and pump: an outage here stalls no other lane. */
export interface LaneConfig {
  /** Names the lane in stats, metrics (label `lane`), reports and the spool directory. Unique; letters, digits, ".", "_", "-". */
  readonly name: string;
  readonly transport: Transport;
  /** Close the transport when the producer closes or a reload replaces it. Default true. */
  readonly ownsTransport?: boolean;
  /** Anchored allow/deny regexes over event names. Default: every event. */
  readonly filter?: EventFilterConfig;
  /** Per-NApp, verbose and status destinations. Default: core's Router defaults. */
  readonly routing?: RoutingConfig;
  /** Default: 10 000 events, 64 MiB, drop-oldest. */
  readonly buffer?: LaneBufferConfig;
}

export interface BatchConfig {
  /** Events per send. Default 500. */
  readonly maxEvents?: number;
  /** Bytes per send (about). Default 1 MiB. */
  readonly maxBytes?: number;
  /** How long a pump waits for more events before sending a small batch, ms. Default 0. */
  readonly lingerMs?: number;
}

/** Where an error reported through `onError` came from. */
export interface ErrorContext {
  /** "publish": bad input; "send": the broker refused events for good; "connect": a lane cannot reach its broker (it keeps retrying); "spool": disk trouble. */
  readonly phase: "publish" | "send" | "connect" | "spool";
  readonly lane?: string;
  /** The event name, when one event is concerned. */
  readonly event?: string;
  /** How many events the error concerns (send). */
  readonly count?: number;
}

export interface ProducerConfig {
  /** The controller instance the events come from (envelope `source`). Required. */
  readonly source: string;
  /** One or more lanes (hybrid fan-out: e.g. Kafka for the verbose stream, RabbitMQ per NApp). */
  readonly lanes: readonly LaneConfig[];
  /** "binary" (default) or "json" (Protobuf JSON, for debugging). */
  readonly format?: WireFormat;
  /** Keeps the sequence across restarts (createFileSequenceStore). Default: in memory, from 1. */
  readonly sequenceStore?: SequenceStore;
  /** Durable overflow on disk, per lane. Default: none (a full buffer drops by its policy). */
  readonly spool?: SpoolConfig;
  readonly batch?: BatchConfig;
  /** Backoff between send attempts while a broker is away. Default 100 ms doubling to 5 s, jittered, forever. */
  readonly retry?: BackoffConfig;
  /** Bad input and broker refusals, as they happen; must not throw (a throw is logged and ignored). */
  readonly onError?: (error: KytosEventsError, context: ErrorContext) => void;
  /** Throw bad input (unknown event, bad content) from publish instead of reporting it. For tests. Default false. */
  readonly strict?: boolean;
  /** `close()`'s default deadline, ms. Default 10 000. */
  readonly closeTimeoutMs?: number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /**
   * Called inside `publish`, once per lane that takes the event: may add record headers (trace
   * context) and watch that lane's outcome. `createOtelTracing().onPublish` from
   * `@kytos-events/otel` is one. Default: none.
   */
  readonly onPublish?: PublishHook;
}

/** What `reload` may change: the lanes (filters, routing, transports, buffers; lanes added or removed). */
export interface ReloadConfig {
  readonly lanes: readonly LaneConfig[];
}

export interface ResolvedLane {
  readonly config: LaneConfig;
  readonly pipeline: Pipeline;
  readonly buffer: Required<Pick<OutageBufferConfig, "maxEvents" | "maxBytes" | "overflow">>;
}

export interface ResolvedConfig {
  readonly source: string;
  readonly lanes: readonly ResolvedLane[];
  readonly format: WireFormat;
  readonly spool: SpoolConfig | undefined;
  readonly batch: Required<BatchConfig>;
  readonly backoff: BackoffPolicy;
  readonly closeTimeoutMs: number;
  readonly strict: boolean;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly onPublish: PublishHook | undefined;
}

const LANE_NAME = /^[A-Za-z0-9._-]{1,100}$/;

function invalid(message: string): KytosEventsError {
  return new KytosEventsError(ErrorCode.ConfigInvalid, `producer: ${message}`);
}

function positive(value: number, name: string, min: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw invalid(`${name} must be a number >= ${min}, got ${String(value)}.`);
  }
  return value;
}

function isTransport(t: unknown): t is Transport {
  const candidate = t as Partial<Transport> | undefined;
  return (
    typeof candidate?.send === "function" &&
    typeof candidate.connect === "function" &&
    typeof candidate.ensureDestinations === "function" &&
    typeof candidate.close === "function" &&
    (candidate.capabilities?.fanout === "client" || candidate.capabilities?.fanout === "broker")
  );
}

/** Validates lanes; a bad filter pattern throws KE_FILTER_PATTERN_INVALID naming the lane and pattern. */
export function resolveLanes(lanes: readonly LaneConfig[], pipelineVersion: number): ResolvedLane[] {
  if (!Array.isArray(lanes) || lanes.length === 0) {
    throw invalid("`lanes` must list at least one { name, transport }.");
  }
  const names = new Set<string>();
  const transports = new Set<Transport>();
  return lanes.map((lane, index) => {
    const where = `lanes[${index}]`;
    if (typeof lane?.name !== "string" || !LANE_NAME.test(lane.name)) {
      throw invalid(
        `${where}.name must be 1-100 letters, digits, '.', '_' or '-', got ${JSON.stringify(lane?.name)}.`,
      );
    }
    if (names.has(lane.name)) throw invalid(`lane name "${lane.name}" is used twice; names must be unique.`);
    names.add(lane.name);
    if (!isTransport(lane.transport)) {
      throw invalid(
        `lane "${lane.name}": transport must be a kytos-events Transport (createKafkaTransport, createAmqpTransport, createMemoryTransport).`,
      );
    }
    if (transports.has(lane.transport)) {
      throw invalid(
        `lane "${lane.name}" uses the same transport object as another lane; give each lane its own.`,
      );
    }
    transports.add(lane.transport);
    const overflow = lane.buffer?.overflow ?? "drop-oldest";
    if (overflow !== "drop-oldest" && overflow !== "drop-newest") {
      throw invalid(
        `lane "${lane.name}": buffer.overflow must be "drop-oldest" or "drop-newest", got "${String(overflow)}" ` +
          "(publish never waits; configure a spool to keep events through long outages).",
      );
    }
    const buffer = {
      maxEvents: positive(lane.buffer?.maxEvents ?? 10_000, `lane "${lane.name}": buffer.maxEvents`, 1),
      maxBytes: positive(
        lane.buffer?.maxBytes ?? 64 * 1024 * 1024,
        `lane "${lane.name}": buffer.maxBytes`,
        1,
      ),
      overflow,
    } as const;
    let pipeline: Pipeline;
    try {
      pipeline = new Pipeline({ filter: lane.filter ?? {}, routing: lane.routing ?? {} }, pipelineVersion);
    } catch (err) {
      const e = err as KytosEventsError;
      throw new KytosEventsError(
        e.code ?? ErrorCode.ConfigInvalid,
        `producer: lane "${lane.name}": ${e.message}`,
        {
          cause: err,
        },
      );
    }
    return { config: lane, pipeline, buffer };
  });
}

export function resolveConfig(config: ProducerConfig): ResolvedConfig {
  if (!config || typeof config !== "object") throw invalid("createProducer needs a config object.");
  if (typeof config.source !== "string" || config.source.trim() === "") {
    throw invalid("`source` (the controller instance id, e.g. the Kytos-ng host name) is required.");
  }
  const format = config.format ?? "binary";
  if (format !== "binary" && format !== "json")
    throw invalid(`format must be "binary" or "json", got "${String(format)}".`);
  const spool = config.spool;
  if (spool !== undefined) {
    if (typeof spool.dir !== "string" || spool.dir === "")
      throw invalid("spool.dir must be a directory path.");
    positive(spool.maxBytes ?? 1, "spool.maxBytes", 1);
    positive(spool.segmentBytes ?? 1024, "spool.segmentBytes", 1024);
  }
  const batch = {
    maxEvents: positive(config.batch?.maxEvents ?? 500, "batch.maxEvents", 1),
    maxBytes: positive(config.batch?.maxBytes ?? 1024 * 1024, "batch.maxBytes", 1),
    lingerMs: positive(config.batch?.lingerMs ?? 0, "batch.lingerMs", 0),
  };
  if (config.sequenceStore !== undefined && typeof config.sequenceStore.load !== "function") {
    throw invalid("sequenceStore must implement load/save (see createFileSequenceStore).");
  }
  let backoff: BackoffPolicy;
  try {
    backoff = new BackoffPolicy({ initialDelayMs: 100, maxDelayMs: 5000, ...config.retry });
  } catch (err) {
    throw invalid(`retry: ${(err as Error).message}`);
  }
  if (config.onPublish !== undefined && typeof config.onPublish !== "function") {
    throw invalid("onPublish must be a function (event) => { headers?, settled? } or left out.");
  }
  return {
    source: config.source,
    lanes: resolveLanes(config.lanes, 1),
    format,
    spool,
    batch,
    backoff,
    closeTimeoutMs: positive(config.closeTimeoutMs ?? 10_000, "closeTimeoutMs", 0),
    strict: config.strict ?? false,
    logger: config.logger ?? silentLogger,
    metrics: config.metrics ?? noopMetrics,
    onPublish: config.onPublish,
  };
}
