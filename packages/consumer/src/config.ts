// The consumer's configuration: typed, validated once in createConsumer, each default stated
// beside its field.
import {
  type BackoffConfig,
  BackoffPolicy,
  ErrorCode,
  type IdempotencyStore,
  KytosEventsError,
  type Logger,
  type Metrics,
  noopMetrics,
  silentLogger,
  type Transport,
} from "@kytos-events/core";
import type { GapDetectionConfig } from "./gap-detector.js";
import type { AroundHandler } from "./handler-hook.js";

export interface ConsumerRetryConfig extends BackoffConfig {
  /**
   * Handler runs per event before it is dead-lettered, the first included. Default 5.
   * (`maxRetries` of the backoff is derived from it and ignored if given.)
   */
  readonly maxAttempts?: number;
}

export interface ConsumerConfig {
  /** Any core Transport (memory, Kafka, RabbitMQ); the consumer never closes it. */
  readonly transport: Transport;
  /** Consumer group: members of one group share the records; each group gets every record. Required. */
  readonly group: string;
  /** What to read. Default ["kytos.events"] (the verbose destination: every event). */
  readonly destinations?: readonly string[];
  /** Where a group with no stored position starts. Default "latest". */
  readonly from?: "beginning" | "latest";
  /** Handlers running at once, across keys. Default 16. */
  readonly concurrency?: number;
  /** Delivered-but-unsettled records; the transport pauses delivery at the limit. Default 256. */
  readonly maxInFlight?: number;
  /** Checked before each handler run and marked after success. Default: none (at-least-once only). */
  readonly idempotency?: IdempotencyStore;
  /** How long a handled id is remembered, ms. Default: the store's own default. */
  readonly idempotencyTtlMs?: number;
  /** Handler retries. Default: 5 attempts, 200 ms doubling to 30 s, full jitter. */
  readonly retry?: ConsumerRetryConfig;
  /** Sequence gap detection, or false to turn it off. Default on, reorder window 2000 ms. */
  readonly gaps?: GapDetectionConfig | false;
  /** Where dead letters go. Default: the transport's (`<destination>.dlq`). */
  readonly deadLetterDestination?: string;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Default: none. */
  readonly metrics?: Metrics;
  /**
   * Wraps each run of an event's handlers (not duplicates, nor events without handlers): must
   * call `run()` once and return or throw its result. `createOtelTracing().aroundHandler` from
   * `@kytos-events/otel` is one. Default: none.
   */
  readonly aroundHandler?: AroundHandler;
}

export interface ResolvedConsumerConfig {
  readonly transport: Transport;
  readonly group: string;
  readonly destinations: readonly string[];
  readonly fromBeginning: boolean;
  readonly concurrency: number;
  readonly maxInFlight: number;
  readonly idempotency: IdempotencyStore | undefined;
  readonly idempotencyTtlMs: number | undefined;
  readonly backoff: BackoffPolicy;
  readonly maxAttempts: number;
  readonly gaps: GapDetectionConfig | false;
  readonly deadLetterDestination: string | undefined;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly aroundHandler: AroundHandler | undefined;
}

export const DEFAULT_DESTINATIONS: readonly string[] = ["kytos.events"];

function invalid(message: string): KytosEventsError {
  return new KytosEventsError(ErrorCode.ConfigInvalid, `consumer: ${message}`);
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw invalid(`${name} must be a positive integer, got ${value}.`);
  return value;
}

export function resolveConsumerConfig(config: ConsumerConfig): ResolvedConsumerConfig {
  if (!config?.transport || typeof config.transport.subscribe !== "function") {
    throw invalid("`transport` is required (createMemoryTransport(), createKafkaTransport(...), ...).");
  }
  if (typeof config.group !== "string" || config.group.trim() === "") {
    throw invalid("`group` is required: a consumer group name shared by the instances of one application.");
  }
  const destinations = config.destinations ?? DEFAULT_DESTINATIONS;
  if (destinations.length === 0 || destinations.some((d) => typeof d !== "string" || d === "")) {
    throw invalid("`destinations` must list at least one destination name.");
  }
  const from = config.from ?? "latest";
  if (from !== "beginning" && from !== "latest") {
    throw invalid(`\`from\` must be "beginning" or "latest", got "${String(from)}".`);
  }
  const retry = config.retry ?? {};
  const maxAttempts = positiveInteger(retry.maxAttempts ?? 5, "retry.maxAttempts");
  const backoff = new BackoffPolicy({
    initialDelayMs: retry.initialDelayMs ?? 200,
    multiplier: retry.multiplier ?? 2,
    maxDelayMs: retry.maxDelayMs ?? 30_000,
    jitter: retry.jitter ?? "full",
    maxRetries: maxAttempts - 1,
  });
  const gaps = config.gaps ?? {};
  if (gaps !== false) {
    if (gaps.reorderWindowMs !== undefined && !(gaps.reorderWindowMs >= 0)) {
      throw invalid(`gaps.reorderWindowMs must be >= 0, got ${gaps.reorderWindowMs}.`);
    }
    if (gaps.maxPending !== undefined) positiveInteger(gaps.maxPending, "gaps.maxPending");
    if (gaps.laneIdleMs !== undefined && !(gaps.laneIdleMs >= 0)) {
      throw invalid(`gaps.laneIdleMs must be >= 0, got ${gaps.laneIdleMs}.`);
    }
  }
  if (config.idempotencyTtlMs !== undefined && !(config.idempotencyTtlMs > 0)) {
    throw invalid(`idempotencyTtlMs must be positive, got ${config.idempotencyTtlMs}.`);
  }
  if (config.aroundHandler !== undefined && typeof config.aroundHandler !== "function") {
    throw invalid("aroundHandler must be a function (info, run) => Promise<void> or left out.");
  }
  return {
    transport: config.transport,
    group: config.group,
    destinations: [...destinations],
    fromBeginning: from === "beginning",
    concurrency: positiveInteger(config.concurrency ?? 16, "concurrency"),
    maxInFlight: positiveInteger(config.maxInFlight ?? 256, "maxInFlight"),
    idempotency: config.idempotency,
    idempotencyTtlMs: config.idempotencyTtlMs,
    backoff,
    maxAttempts,
    gaps,
    deadLetterDestination: config.deadLetterDestination,
    logger: config.logger ?? silentLogger,
    metrics: config.metrics ?? noopMetrics,
    aroundHandler: config.aroundHandler,
  };
}
