// The consumer: reads a subscription, decodes each record, and runs the application's typed
// handlers under the delivery rules the SDK owns — key-ordered concurrency, an idempotency
// check before and a mark after each handler, retries with backoff and then a dead letter,
// gap detection on sequences, and settlement of every record (the transport commits only
// the contiguous watermark, so nothing unfinished is ever committed).
import {
  BackoffPolicy,
  type DecodeFailure,
  decodeEnvelope,
  ErrorCode,
  Header,
  type InboundRecord,
  isKytosEventsError,
  KytosEventsError,
  MetricName,
  type Subscription,
} from "@kytos-events/core";
import type { Envelope, EventName } from "@kytos-events/schema";
import { type ConsumerConfig, type ResolvedConsumerConfig, resolveConsumerConfig } from "./config.js";
import {
  type DeadLetter,
  type EventHandler,
  type HandlerContext,
  type KytosEvent,
  toKytosEvent,
  type UnknownEventHandler,
} from "./event.js";
import { GapDetector, type GapEvent } from "./gap-detector.js";
import { type HandlerRunInfo, runAroundHandler } from "./handler-hook.js";
import { type AnyHandler, HandlerRegistry } from "./handler-registry.js";
import { IdempotencyBatcher } from "./idempotency-batcher.js";
import { KeyedScheduler } from "./keyed-scheduler.js";
import { RetryGate } from "./retry-gate.js";

/** Counts since start, for dashboards and tests. */
export interface ConsumerStats {
  /** Records delivered by the transport. */
  readonly received: number;
  /** Events whose handlers succeeded. */
  readonly handled: number;
  /** Events with no handler registered (acknowledged). */
  readonly ignored: number;
  /** Redeliveries the idempotency store recognised; handlers not run. */
  readonly duplicates: number;
  /** Events whose sequence was at or below one already seen from their source. */
  readonly sequenceDuplicates: number;
  /** `gap` events raised. */
  readonly gaps: number;
  /** Handler failures sent back for another attempt. */
  readonly retries: number;
  /** Records handed back unrun because an earlier event of their key awaits redelivery. */
  readonly deferred: number;
  readonly deadLettered: number;
  /** Events passed to onUnknown. */
  readonly unknown: number;
  /** Settlements that failed for another reason than a revoked partition or closed channel. */
  readonly settleFailures: number;
}

export interface StopOptions {
  /** How long in-flight handlers may take to finish, ms. Default 30 000. */
  readonly timeoutMs?: number;
}

export interface StopReport {
  /** True when every started handler finished and settled before the deadline. */
  readonly drained: boolean;
  /** Records left unsettled: the broker delivers them again to the group. */
  readonly unsettled: number;
}

export type ConsumerState = "new" | "starting" | "running" | "stopping" | "stopped";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Failure counts are per process; bounded so an event that never comes back cannot leak. */
const MAX_TRACKED_FAILURES = 10_000;
/**
 * How long past its retry's due time a key waits for a handed-back event before giving up on
 * it (its partition moved to another member, which redelivers it in order).
 */
const RETRY_GRACE_MS = 60_000;

export class Consumer {
  readonly config: ResolvedConsumerConfig;
  private readonly registry = new HandlerRegistry();
  private readonly scheduler: KeyedScheduler;
  private readonly gate = new RetryGate(RETRY_GRACE_MS);
  private readonly batcher: IdempotencyBatcher | undefined;
  private readonly detector: GapDetector | undefined;
  /** Handler failures so far per (destination, event id): see attemptKey. */
  private readonly failures = new Map<string, number>();
  /** Consecutive store failures: the outage backoff grows with them, attempts do not. */
  private storeOutage = 0;
  private readonly newerSchemaWarned = new Set<number>();
  private readonly storeBackoff: BackoffPolicy;
  /** Settlements not yet finished, and stop()'s waiters for the count to reach 0. */
  private settling = 0;
  private settledWaiters: (() => void)[] = [];
  private readonly abort = new AbortController();
  private readonly counts: Mutable<ConsumerStats> = {
    received: 0,
    handled: 0,
    ignored: 0,
    duplicates: 0,
    sequenceDuplicates: 0,
    gaps: 0,
    retries: 0,
    deferred: 0,
    deadLettered: 0,
    unknown: 0,
    settleFailures: 0,
  };
  private unknownHandler: UnknownEventHandler | undefined;
  private readonly gapHandlers: ((gap: GapEvent) => void | Promise<void>)[] = [];
  private readonly deadLetterHandlers: ((dead: DeadLetter) => void | Promise<void>)[] = [];
  private subscription: Subscription | undefined;
  private reading: Promise<void> | undefined;
  private stopped: Promise<StopReport> | undefined;
  private current: ConsumerState = "new";

  constructor(config: ConsumerConfig) {
    this.config = resolveConsumerConfig(config);
    this.scheduler = new KeyedScheduler(this.config.concurrency);
    const b = this.config.backoff;
    this.storeBackoff = new BackoffPolicy({
      initialDelayMs: b.initialDelayMs,
      multiplier: b.multiplier,
      maxDelayMs: b.maxDelayMs,
      jitter: b.jitter,
    });
    if (this.config.idempotency) {
      this.batcher = new IdempotencyBatcher(this.config.idempotency, this.config.idempotencyTtlMs);
    }
    if (this.config.gaps !== false) {
      this.detector = new GapDetector(this.config.gaps, (gap) => this.raiseGap(gap));
    }
  }

  /** Handles one event type; the payload is typed by the name. */
  on<N extends EventName>(name: N, handler: EventHandler<N>): this;
  /** Handles every event whose name starts with the prefix: "kytos/topology.*", or "*" for all. */
  on<P extends string>(pattern: `${P}*`, handler: EventHandler<Extract<EventName, `${P}${string}`>>): this;
  on(pattern: string, handler: EventHandler<never>): this {
    this.registry.add(pattern, handler as unknown as AnyHandler);
    return this;
  }

  /**
   * Handles events this build cannot decode fully (a newer producer's event type or schema
   * version). Without it, such records are dead-lettered.
   */
  onUnknown(handler: UnknownEventHandler): this {
    this.unknownHandler = handler;
    return this;
  }

  /** Called when a range of a source's sequences is missing; reconcile from the controller. */
  onGap(handler: (gap: GapEvent) => void | Promise<void>): this {
    this.gapHandlers.push(handler);
    return this;
  }

  /** Called after a record was copied to the dead-letter destination. */
  onDeadLetter(handler: (dead: DeadLetter) => void | Promise<void>): this {
    this.deadLetterHandlers.push(handler);
    return this;
  }

  get state(): ConsumerState {
    return this.current;
  }

  stats(): ConsumerStats {
    return {
      ...this.counts,
      gaps: this.detector?.gaps ?? 0,
      sequenceDuplicates: this.detector?.duplicates ?? 0,
    };
  }

  /** Connects, subscribes and starts handling. Rejects with the transport's error (URL, credentials, unknown destination). */
  async start(): Promise<void> {
    if (this.current !== "new") {
      throw new KytosEventsError(ErrorCode.ConfigInvalid, `consumer: start() called when ${this.current}.`);
    }
    this.current = "starting";
    const c = this.config;
    try {
      await c.transport.connect();
      this.subscription = await c.transport.subscribe({
        group: c.group,
        destinations: c.destinations,
        fromBeginning: c.fromBeginning,
        maxInFlight: c.maxInFlight,
        metrics: c.metrics,
        ...(c.deadLetterDestination !== undefined ? { deadLetterDestination: c.deadLetterDestination } : {}),
      });
    } catch (err) {
      this.current = "stopped";
      throw err;
    }
    this.current = "running";
    this.reading = this.read(this.subscription);
  }

  /**
   * Graceful stop: takes no new record, lets started handlers finish and settle within
   * `timeoutMs` (then aborts their signal), and closes the subscription. Records not
   * finished go back to the group. The transport stays open (it is the caller's).
   */
  stop(options: StopOptions = {}): Promise<StopReport> {
    this.stopped ??= this.shutdown(options.timeoutMs ?? 30_000);
    return this.stopped;
  }

  private async shutdown(timeoutMs: number): Promise<StopReport> {
    if (this.current === "new") {
      this.current = "stopped";
      return { drained: true, unsettled: 0 };
    }
    this.current = "stopping";
    this.scheduler.stop();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const drained = await Promise.race([this.drain().then(() => true as const), deadline]);
    clearTimeout(timer);
    if (!drained) {
      this.abort.abort(
        new KytosEventsError(ErrorCode.Timeout, `consumer: stop() deadline of ${timeoutMs} ms passed.`),
      );
    }
    this.detector?.close();
    const report = await this.subscription?.close();
    await this.reading;
    this.current = "stopped";
    return { drained, unsettled: report?.unsettled ?? 0 };
  }

  private async drain(): Promise<void> {
    await this.scheduler.idle();
    if (this.settling > 0) await new Promise<void>((resolve) => this.settledWaiters.push(resolve));
  }

  private async read(subscription: Subscription): Promise<void> {
    const iterator = subscription[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await iterator.next();
        // A record that arrives while stopping stays unsettled and goes back to the group.
        if (next.done || this.current !== "running") return;
        this.receive(next.value);
      }
    } catch (err) {
      this.config.logger.error("consumer: the subscription failed; no more records will be read", {
        group: this.config.group,
        error: (err as Error).message,
      });
    }
  }

  private receive(record: InboundRecord): void {
    this.counts.received++;
    const decoded = decodeEnvelope(record.value, record.headers);
    this.config.metrics.count(MetricName.Consumed, 1, {
      destination: record.destination,
      event: decoded.ok ? decoded.envelope.type : (decoded.type ?? "unknown"),
    });
    if (decoded.ok) {
      const envelope = decoded.envelope;
      this.scheduler.submit(orderKey(envelope), () => this.process(record, envelope));
      return;
    }
    const envelope = decoded.envelope;
    if (decoded.reason === "schema-too-new" && envelope?.payload.case !== undefined) {
      // A known event from a newer schema version decoded fully (Protobuf keeps old readers
      // working; fields added since are invisible): its handlers take it like any other.
      this.warnNewerSchema(envelope.schemaVersion);
      this.scheduler.submit(orderKey(envelope), () => this.process(record, envelope));
      return;
    }
    const newer = decoded.reason === "unknown-event" || decoded.reason === "schema-too-new";
    if (newer && this.unknownHandler && envelope) {
      this.scheduler.submit(orderKey(envelope), () => this.process(record, envelope, decoded));
      return;
    }
    this.deadLetter(record, `${decoded.reason}: ${decoded.error.message}`, decoded.error, envelope);
  }

  /** One event through the gate, the idempotency check, the handlers, the mark and settlement. */
  private async process(record: InboundRecord, envelope: Envelope, unknown?: DecodeFailure): Promise<void> {
    const { id, key } = envelope;
    if (key !== "") {
      const verdict = this.gate.check(key, id);
      if (verdict.kind === "defer") {
        this.counts.deferred++;
        this.settle(
          record,
          record.retry({ delayMs: verdict.delayMs, reason: "an earlier event of its key awaits redelivery" }),
        );
        return;
      }
    }
    const attempts = attemptKey(record, id);
    const failures = this.failures.get(attempts) ?? 0;
    if (this.batcher) {
      let seen: boolean;
      try {
        // An in-process store answers at once: no await, so no extra turn per record.
        const answer = this.batcher.seen(id);
        seen = typeof answer === "boolean" ? answer : await answer;
      } catch (err) {
        return this.failed(record, envelope, storeError("check", err), failures + 1);
      }
      this.storeOutage = 0;
      if (seen) {
        // Handled before (by this process or one before it): its sequence is not missing.
        this.detector?.observe(envelope.source, envelope.sequence, record.position.lane, true);
        this.failures.delete(attempts);
        this.counts.duplicates++;
        this.config.metrics.count(MetricName.Duplicates, 1, { event: envelope.type });
        this.settle(record, record.ack());
        return;
      }
    }
    if (failures === 0) this.detector?.observe(envelope.source, envelope.sequence, record.position.lane);
    const started = performance.now();
    const context: HandlerContext = {
      attempt: failures + 1,
      destination: record.destination,
      position: record.position,
      signal: this.abort.signal,
      logger: this.config.logger,
    };
    const handlers = unknown ? undefined : this.registry.match(envelope.type);
    if (handlers?.length === 0) {
      this.counts.ignored++;
      this.settle(record, record.ack());
      return;
    }
    if (unknown) this.counts.unknown++;
    try {
      const hook = this.config.aroundHandler;
      if (hook === undefined) {
        const running = this.runHandlers(envelope, handlers, unknown, context);
        if (running !== undefined) await running;
      } else {
        const info = handlerRunInfo(record, envelope, context.attempt, this.config);
        await runAroundHandler(
          hook,
          info,
          () => this.runHandlers(envelope, handlers, unknown, context) ?? Promise.resolve(),
        );
      }
      if (!unknown) {
        this.config.metrics.observe(MetricName.HandlerDuration, performance.now() - started, {
          event: envelope.type,
        });
      }
    } catch (err) {
      return this.failed(record, envelope, err, failures + 1);
    }
    if (this.batcher) {
      try {
        const marking = this.batcher.mark(id);
        if (marking !== undefined) await marking;
      } catch (err) {
        // The side effects happened; only the memory of it is missing. Settling still moves
        // the position on; a redelivery of this id (rebalance, crash) would run it again.
        this.config.logger.warn("consumer: handled, but the idempotency store did not record it", {
          id,
          error: (err as Error).message,
        });
      }
    }
    this.failures.delete(attempts);
    this.counts.handled++;
    this.settle(record, record.ack());
  }

  /**
   * The event's handlers, or the unknown-event handler for an event this build cannot decode
   * fully. Handlers that return no promise run to the end in this turn and nothing is
   * returned (the common synchronous handler costs no promise); from the first one that
   * returns a promise on, the rest run after it and a promise is returned.
   */
  private runHandlers(
    envelope: Envelope,
    handlers: readonly AnyHandler[] | undefined,
    unknown: DecodeFailure | undefined,
    context: HandlerContext,
  ): undefined | Promise<void> {
    if (unknown) return this.runUnknownHandler(unknown, context);
    const event = toKytosEvent(envelope);
    const all = handlers!;
    for (let i = 0; i < all.length; i++) {
      const result = all[i]!(event, context);
      if (isThenable(result)) return continueHandlers(result, all, i + 1, event, context);
    }
    return undefined;
  }

  private async runUnknownHandler(unknown: DecodeFailure, context: HandlerContext): Promise<void> {
    await this.unknownHandler!(
      {
        reason: unknown.reason as "unknown-event" | "schema-too-new",
        type: unknown.type,
        envelope: unknown.envelope,
        error: unknown.error,
      },
      context,
    );
  }

  private warnNewerSchema(version: number): void {
    if (this.newerSchemaWarned.has(version)) return;
    this.newerSchemaWarned.add(version);
    this.config.logger.warn(
      "consumer: events of a newer schema version; fields added since are not visible",
      {
        schemaVersion: version,
      },
    );
  }

  private failed(record: InboundRecord, envelope: Envelope, err: unknown, attempt: number): void {
    const error = err instanceof Error ? err : new Error(String(err));
    if (isKytosEventsError(error) && error.code === ErrorCode.StoreUnavailable) {
      // The store is down, not the event: wait and try again, without using up attempts
      // (an outage must not dead-letter events that were never handled).
      const delay = this.storeBackoff.nextDelay(++this.storeOutage)!;
      this.config.logger.warn("consumer: idempotency store unavailable, will retry", {
        id: envelope.id,
        delayMs: Math.round(delay),
        error: error.message,
      });
      this.retryLater(record, envelope, delay, error, "store");
      return;
    }
    const delay = this.config.backoff.nextDelay(attempt);
    if (delay === undefined) {
      this.failures.delete(attemptKey(record, envelope.id));
      this.deadLetter(record, `handler failed after ${attempt} attempts: ${error.message}`, error, envelope);
      return;
    }
    this.trackFailure(attemptKey(record, envelope.id), attempt);
    this.config.logger.debug("consumer: handler failed, will retry", {
      id: envelope.id,
      type: envelope.type,
      attempt,
      delayMs: Math.round(delay),
      error: error.message,
    });
    this.retryLater(record, envelope, delay, error, "handler");
  }

  /** Hands the record back for `delayMs`, closing its key so nothing of it runs ahead. */
  private retryLater(
    record: InboundRecord,
    envelope: Envelope,
    delayMs: number,
    error: Error,
    operation: "handler" | "store",
  ): void {
    this.counts.retries++;
    this.config.metrics.count(MetricName.Retries, 1, { operation });
    if (envelope.key !== "") this.gate.failed(envelope.key, envelope.id, delayMs);
    this.settle(record, record.retry({ delayMs, reason: error.message }));
  }

  private trackFailure(key: string, attempt: number): void {
    this.failures.delete(key);
    this.failures.set(key, attempt);
    if (this.failures.size > MAX_TRACKED_FAILURES) {
      this.failures.delete(this.failures.keys().next().value as string);
    }
  }

  private deadLetter(
    record: InboundRecord,
    reason: string,
    error: Error,
    envelope: Envelope | undefined,
  ): void {
    const type = envelope?.type ?? record.headers[Header.EventType];
    const done = record.deadLetter(reason).then(() => {
      this.counts.deadLettered++;
      this.config.metrics.count(MetricName.DeadLetters, 1, {
        destination: record.destination,
        event: type ?? "unknown",
      });
      this.config.logger.warn("consumer: dead-lettered", { reason, destination: record.destination, type });
      const dead: DeadLetter = {
        reason,
        destination: record.destination,
        position: record.position,
        type,
        id: envelope?.id,
        error,
      };
      for (const handler of this.deadLetterHandlers) this.callHook("onDeadLetter", () => handler(dead));
    });
    this.settle(record, done);
  }

  /**
   * Tracks a settlement so stop() can wait for it; a revoked record is not an error. A count,
   * not a set of promises, and one reaction per record: this runs for every record.
   */
  private settle(record: InboundRecord, settlement: Promise<void>): void {
    this.settling++;
    settlement.then(this.settled, (err: unknown) => {
      this.settleFailed(record, err);
      this.settled();
    });
  }

  private readonly settled = (): void => {
    if (--this.settling > 0) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const w of waiters) w();
  };

  private settleFailed(record: InboundRecord, err: unknown): void {
    if (isKytosEventsError(err) && err.code === ErrorCode.Closed) {
      this.config.logger.debug("consumer: record revoked before settling; it will be redelivered", {
        position: `${record.position.lane}@${record.position.offset}`,
      });
      return;
    }
    this.counts.settleFailures++;
    this.config.logger.error(
      "consumer: settlement failed; the record stays unsettled and will be redelivered",
      {
        position: `${record.position.lane}@${record.position.offset}`,
        error: (err as Error).message,
      },
    );
  }

  private raiseGap(gap: GapEvent): void {
    this.config.logger.warn("consumer: sequence gap", {
      source: gap.source,
      from: String(gap.from),
      to: String(gap.to),
    });
    for (const handler of this.gapHandlers) this.callHook("onGap", () => handler(gap));
  }

  private callHook(name: string, run: () => void | Promise<void>): void {
    const report = (err: unknown) =>
      this.config.logger.error(`consumer: ${name} handler threw`, { error: (err as Error)?.message });
    try {
      const result = run();
      if (result instanceof Promise) result.catch(report);
    } catch (err) {
      report(err);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === "function";
}

/** The handlers from `next` on, after `pending` (an earlier one's promise) settled. */
async function continueHandlers(
  pending: PromiseLike<unknown>,
  handlers: readonly AnyHandler[],
  next: number,
  event: KytosEvent,
  context: HandlerContext,
): Promise<void> {
  await pending;
  for (let i = next; i < handlers.length; i++) await handlers[i]!(event, context);
}

/**
 * What serialises an event: its key; for a keyless event its id, so copies of one event (from
 * two destinations, say) never run side by side past the idempotency check.
 */
function orderKey(envelope: Envelope): string {
  return envelope.key !== "" ? envelope.key : `\u0000${envelope.id}`;
}

function storeError(what: string, err: unknown): KytosEventsError {
  if (isKytosEventsError(err)) return err;
  return new KytosEventsError(
    ErrorCode.StoreUnavailable,
    `idempotency store: ${what} failed: ${(err as Error)?.message ?? String(err)}`,
    { cause: err },
  );
}

/** What an `aroundHandler` hook is told about a run. */
function handlerRunInfo(
  record: InboundRecord,
  envelope: Envelope,
  attempt: number,
  config: ResolvedConsumerConfig,
): HandlerRunInfo {
  return {
    id: envelope.id,
    type: envelope.type,
    key: envelope.key,
    source: envelope.source,
    sequence: envelope.sequence,
    destination: record.destination,
    headers: record.headers,
    attempt,
    group: config.group,
    transport: config.transport.kind,
    bodySize: record.value.byteLength,
  };
}

/** A consumer on `config.transport`; register handlers with `on`, then `start()`. */
export function createConsumer(config: ConsumerConfig): Consumer {
  return new Consumer(config);
}

/**
 * Attempts are counted per copy of an event: a consumer reading one event from two
 * destinations (kytos.events and kytos.topology) holds two records of it, each retried and
 * dead-lettered by its own destination, so each gets its own maxAttempts.
 */
function attemptKey(record: InboundRecord, eventId: string): string {
  return `${record.destination}\u0000${eventId}`;
}
