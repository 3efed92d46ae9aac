// The second ingest mode, for sites that already run kytos-ng/kafka_events: read its
// schema-less topic (default `event_logs`) and republish each record typed — per-NApp and
// status destinations, keys, envelope — so consumers can move to the typed streams without
// touching the controller. A record is acknowledged only once its typed event is durable on
// the output (at-least-once); one that does not map (not JSON, no event name, an event the
// schema does not know, content that does not fit it) is dead-lettered with the reason; one
// the output dropped from a full buffer is tried again. Nothing is skipped silently: every
// record is counted under what became of it, in /healthz and, with a metrics sink, as
// consumed records, handling time (to durable), dead letters and lag per partition.
import {
  ErrorCode,
  type InboundRecord,
  isKytosEventsError,
  type Logger,
  MetricName,
  type Metrics,
  type Subscription,
  sleep,
  type Transport,
} from "@kytos-events/core";
import { findEventDescriptor } from "@kytos-events/schema";
import type { EventLogsConfig } from "./bridge-config.js";
import { parseEventLogsRecord } from "./event-logs-record.js";
import type { Publish } from "./publish-outcome.js";

export interface EventLogsStats {
  readonly topic: string;
  /** Subscribed and reading. */
  readonly running: boolean;
  readonly received: number;
  /** Published typed and acknowledged by the output broker. */
  readonly republished: number;
  /** Left out by the bridge's filter (acknowledged, not republished). */
  readonly filtered: number;
  readonly deadLettered: number;
  /** Dropped by the output's full buffer, handed back to be read again. */
  readonly retried: number;
  /** Why reading stopped or could not start, while it is not running. */
  readonly lastError?: string;
}

type Counters = {
  -readonly [K in "received" | "republished" | "filtered" | "deadLettered" | "retried"]: number;
};

/** Wait between attempts to subscribe (the topic may not exist yet, Kafka may be away). */
const RESUBSCRIBE_MS = 5000;
const RETRY_DROPPED_MS = 1000;
/** The `event` label of a record that names no event the schema knows (keeps the label set finite). */
const UNMAPPED = "unmapped";

export class EventLogsIngest {
  private readonly counts: Counters = {
    received: 0,
    republished: 0,
    filtered: 0,
    deadLettered: 0,
    retried: 0,
  };
  private readonly abort = new AbortController();
  private subscription: Subscription | undefined;
  private running = false;
  private lastError: string | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    readonly config: Required<EventLogsConfig>,
    private readonly transport: Transport,
    private readonly publish: Publish,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  stats(): EventLogsStats {
    return {
      topic: this.config.topic,
      running: this.running,
      ...this.counts,
      ...(this.lastError && !this.running ? { lastError: this.lastError } : {}),
    };
  }

  /** Stops reading; records not yet acknowledged are read again by the group's next member. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.subscription?.close();
    await this.loop;
    await this.transport.close();
  }

  private async run(): Promise<void> {
    const c = this.config;
    while (!this.abort.signal.aborted) {
      try {
        await this.transport.connect();
        this.subscription = await this.transport.subscribe({
          group: c.group,
          destinations: [c.topic],
          fromBeginning: c.from === "beginning",
          maxInFlight: c.maxInFlight,
          deadLetterDestination: c.deadLetterTopic,
          metrics: this.metrics,
        });
        if (this.abort.signal.aborted) break;
        this.running = true;
        this.logger.info(`event_logs: reading "${c.topic}" as group "${c.group}"`);
        for await (const record of this.subscription) this.handle(record);
      } catch (err) {
        this.lastError = (err as Error).message;
        this.logger.error(
          `event_logs: cannot read "${c.topic}" (trying again in ${RESUBSCRIBE_MS} ms): ${this.lastError}`,
        );
      } finally {
        this.running = false;
      }
      await sleep(RESUBSCRIBE_MS, this.abort.signal).catch(() => {});
    }
  }

  private handle(record: InboundRecord): void {
    const started = performance.now();
    this.counts.received++;
    const parsed = parseEventLogsRecord(record.value);
    if (!parsed.ok) {
      this.handled(record, UNMAPPED, started);
      this.deadLetter(record, UNMAPPED, parsed.reason);
      return;
    }
    const event = findEventDescriptor(parsed.name) ? parsed.name : UNMAPPED;
    // Published in read order (the producer takes the event before publish's first await).
    void this.publish(parsed.name, parsed.content).then(async (outcome) => {
      if (outcome.status === "refused") {
        this.handled(record, event, started);
        return this.deadLetter(record, event, `${outcome.code}: ${outcome.reason}`);
      }
      if (outcome.status === "filtered") {
        this.counts.filtered++;
        this.handled(record, event, started);
        return this.settle(record.ack());
      }
      const durable = await outcome.durable;
      this.handled(record, event, started);
      if (durable.ok) {
        this.counts.republished++;
        return this.settle(record.ack());
      }
      if (durable.dropped) {
        this.counts.retried++;
        this.metrics.count(MetricName.Retries, 1, { operation: "handler" });
        return this.settle(record.retry({ delayMs: RETRY_DROPPED_MS, reason: durable.reason }));
      }
      this.deadLetter(record, event, `the typed event was not delivered: ${durable.reason}`);
    });
  }

  /** A record's fate is decided: counted as consumed, and its handling time (to durable, for a republish) observed. */
  private handled(record: InboundRecord, event: string, started: number): void {
    this.metrics.count(MetricName.Consumed, 1, { destination: record.destination, event });
    this.metrics.observe(MetricName.HandlerDuration, performance.now() - started, { event });
  }

  private deadLetter(record: InboundRecord, event: string, reason: string): void {
    this.logger.warn(
      `event_logs: dead-lettered ${record.position.lane}@${record.position.offset}: ${reason}`,
    );
    this.settle(
      record.deadLetter(reason).then(() => {
        this.counts.deadLettered++;
        this.metrics.count(MetricName.DeadLetters, 1, { destination: record.destination, event });
      }),
    );
  }

  private settle(settlement: Promise<void>): void {
    settlement.catch((err: unknown) => {
      // A revoked partition (rebalance, stop): the record comes again to the group.
      if (isKytosEventsError(err) && err.code === ErrorCode.Closed) return;
      this.logger.error(
        `event_logs: could not settle a record (it will be read again): ${(err as Error).message}`,
      );
    });
  }
}
