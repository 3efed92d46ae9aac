// A lane's sender: one loop, one send at a time, so events leave in the order they were
// published. It connects and creates the destinations first (retrying while the broker is
// away), takes batches from the outage buffer (then from the spool), routes each event with
// the snapshot that admitted it, and settles what the broker says: acknowledged events are
// delivered; retriable failures go back to the front and the loop backs off; refusals are
// counted and reported, never retried forever.
import {
  type BackoffPolicy,
  ErrorCode,
  isKytosEventsError,
  KytosEventsError,
  type Logger,
  type MetricLabels,
  MetricName,
  type Metrics,
  type OutboundRecord,
  type Pipeline,
  sleep,
  type Transport,
} from "@kytos-events/core";
import type { BatchConfig, ErrorContext } from "./config.js";
import type { Lane } from "./lane.js";
import type { LaneItem } from "./published-event.js";
import { acceptedRecords, type SendVerdict, verdictsOf } from "./send-verdicts.js";
import type { SpoolRead } from "./spool/spool.js";

export interface PumpContext {
  readonly batch: Required<BatchConfig>;
  readonly backoff: BackoffPolicy;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly report: (error: KytosEventsError, context: ErrorContext) => void;
}

type Work =
  | { readonly from: "memory"; readonly items: LaneItem[] }
  | { readonly from: "spool"; readonly items: LaneItem[]; readonly read: SpoolRead };

export class Pump {
  readonly done: Promise<void>;
  private current: Transport;
  private currentOwned: boolean;
  private ensured = new WeakSet<Pipeline>();
  private attempt = 0;
  private stopping = false;
  private abandoned = false;
  private readonly abort = new AbortController();
  private readonly sentLabels = new Map<string, MetricLabels>();
  private sending: LaneItem[] | undefined;
  private drainWaiters: (() => void)[] = [];
  private readyWaiters: (() => void)[] = [];
  private readonly closing = new Set<Promise<void>>();

  constructor(
    private readonly lane: Lane,
    private readonly ctx: PumpContext,
  ) {
    this.current = lane.transport;
    this.currentOwned = lane.ownsTransport;
    this.done = this.run();
  }

  /** Resolves when nothing waits in the lane's buffer, spool or send. */
  drained(): Promise<void> {
    if (this.lane.idle) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Resolves once the lane's current transport is connected and its destinations exist. */
  ready(): Promise<void> {
    if (this.lane.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Ends the loop after the send under way (backoff waits end at once). */
  stop(): void {
    this.stopping = true;
    this.abort.abort();
    this.lane.wake();
  }

  /**
   * Gives up on the send under way (close's deadline passed): returns its events from memory,
   * whose outcome is unknown, so the caller can spool or count them. A late answer is ignored.
   */
  abandon(): LaneItem[] {
    this.abandoned = true;
    const items = this.sending ?? [];
    this.sending = undefined;
    return items;
  }

  /** Closes of transports replaced by reload, still under way. */
  retiredClosing(): Promise<unknown> {
    return Promise.allSettled([...this.closing]);
  }

  get transport(): Transport {
    return this.current;
  }

  get ownsTransport(): boolean {
    return this.currentOwned;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        this.followReload();
        if (!(await this.prepare(this.lane.pipeline))) break;
        const work = await this.next();
        if (work) await this.deliver(work);
      } catch (err) {
        // A defect, not a broker answer: report it and keep the lane alive.
        this.ctx.report(asError(err), { phase: "send", lane: this.lane.name });
        await this.pause(this.ctx.backoff.maxDelayMs);
      }
    }
  }

  /** After a reload gave the lane another transport: switch between sends, close the old one if owned. */
  private followReload(): void {
    const lane = this.lane;
    if (lane.transport === this.current) {
      this.currentOwned = lane.ownsTransport;
      return;
    }
    const old = this.current;
    const owned = this.currentOwned;
    this.current = lane.transport;
    this.currentOwned = lane.ownsTransport;
    this.ensured = new WeakSet();
    this.attempt = 0;
    lane.ready = false;
    this.ctx.logger.info("producer lane switched transport", {
      lane: lane.name,
      from: old.kind,
      to: this.current.kind,
    });
    if (owned) {
      const closing = old.close().catch((err: unknown) => {
        this.ctx.logger.warn("closing a replaced transport failed", { lane: lane.name, error: String(err) });
      });
      this.closing.add(closing);
      void closing.finally(() => this.closing.delete(closing));
    }
  }

  /** Connects and creates the pipeline's destinations, retrying until done; false when stopping. */
  private async prepare(pipeline: Pipeline): Promise<boolean> {
    let attempt = 0;
    while (!this.stopping) {
      if (this.ensured.has(pipeline)) return true;
      const transport = this.current;
      try {
        await transport.connect();
        await transport.ensureDestinations(pipeline.destinationSpecs());
        if (transport !== this.current) continue;
        this.ensured.add(pipeline);
        if (!this.lane.ready) this.markReady();
        return true;
      } catch (err) {
        const error = asError(err);
        attempt++;
        this.lane.lastError = error.message;
        this.ctx.report(error, { phase: "connect", lane: this.lane.name });
        await this.pause(this.ctx.backoff.nextDelay(attempt) ?? this.ctx.backoff.maxDelayMs);
      }
    }
    return false;
  }

  private markReady(): void {
    this.lane.ready = true;
    this.lane.lastError = undefined;
    this.ctx.logger.info("producer lane ready", { lane: this.lane.name, transport: this.current.kind });
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** The next batch: memory first (it is older than anything spooled), then the spool; else waits. */
  private async next(): Promise<Work | undefined> {
    const { lane } = this;
    const { maxEvents, maxBytes, lingerMs } = this.ctx.batch;
    if (lane.buffer.size > 0) {
      if (lingerMs > 0 && lane.buffer.size < maxEvents) await this.pause(lingerMs);
      const items = lane.buffer.takeBatch(maxEvents, maxBytes);
      this.ctx.metrics.gauge(MetricName.BufferDepth, lane.buffer.size, lane.labels);
      if (items.length > 0) return { from: "memory", items };
    }
    const spool = lane.spool;
    if (spool && spool.backlogBytes > 0) {
      const read = await spool.read(maxEvents, maxBytes);
      if (read.events.length > 0) {
        return { from: "spool", read, items: read.events.map((event) => ({ event, pipeline: undefined })) };
      }
      if (spool.backlogBytes > 0) {
        await this.pause(10); // written but not readable yet (a write in progress): look again shortly
        return undefined;
      }
    }
    if (lane.idle) this.notifyDrained();
    if (!this.stopping && lane.buffer.size === 0) await lane.waitForWork();
    return undefined;
  }

  private notifyDrained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async deliver(work: Work): Promise<void> {
    const { lane } = this;
    const { items } = work;
    const fromMemory = work.from === "memory";
    // Memory events in a send are counted against the buffer's room, and close() can find them.
    let bytes = 0;
    if (fromMemory) {
      for (const item of items) bytes += item.event.size;
      this.sending = items;
      lane.inFlight += items.length;
      lane.inFlightBytes += bytes;
    }
    let error: unknown;
    let records: OutboundRecord[];
    let owners: number[];
    let unroutable: Map<number, KytosEventsError>;
    try {
      // Usually every event of a batch came through one pipeline, long ensured: check each
      // synchronously and await only for a pipeline (a reload's) whose destinations are new.
      for (const item of items) {
        const pipeline = item.pipeline ?? lane.pipeline;
        if ((!this.stopping && this.ensured.has(pipeline)) || (await this.prepare(pipeline))) continue;
        if (fromMemory && !this.abandoned) lane.buffer.putBack(items);
        return;
      }
      ({ records, owners, unroutable } = this.recordsOf(items, this.current));
      try {
        if (records.length > 0) await this.current.send(records, { signal: this.abort.signal });
      } catch (err) {
        error = err;
      }
    } finally {
      if (fromMemory) {
        lane.inFlight -= items.length;
        lane.inFlightBytes -= bytes;
        this.sending = undefined;
      }
    }
    if (this.abandoned) return;
    this.countSent(records, error);
    const verdicts = verdictsOf(items.length, records, owners, error);
    for (const [index, routingError] of unroutable) verdicts[index] = { failed: routingError };
    await this.settle(work, verdicts);
  }

  /** One record per destination ("client" fanout) or one per event ("broker"); the bytes are shared. */
  private recordsOf(items: readonly LaneItem[], transport: Transport) {
    const fanout = transport.capabilities.fanout;
    const records: OutboundRecord[] = [];
    const owners: number[] = [];
    const unroutable = new Map<number, KytosEventsError>();
    items.forEach((item, index) => {
      const { event } = item;
      let destinations: readonly string[];
      try {
        destinations =
          item.destinations ?? (item.pipeline ?? this.lane.pipeline).router.route(event.type, fanout);
      } catch (err) {
        unroutable.set(index, asError(err));
        return;
      }
      for (const destination of destinations) {
        records.push({ destination, key: event.key, value: event.value, headers: event.headers });
        owners.push(index);
      }
    });
    return { records, owners, unroutable };
  }

  private async settle(work: Work, verdicts: SendVerdict[]): Promise<void> {
    const { lane } = this;
    const { items } = work;
    const retries: LaneItem[] = [];
    let firstRetry = -1;
    let cause: KytosEventsError | undefined;
    const failures: KytosEventsError[] = [];
    const now = performance.now();
    for (let i = 0; i < items.length; i++) {
      const verdict = verdicts[i];
      const item = items[i]!;
      if (verdict !== undefined && "retry" in verdict) {
        if (firstRetry < 0) firstRetry = i;
        cause ??= verdict.error;
        retries.push(verdict.retry.length === 0 ? item : { ...item, destinations: verdict.retry });
        continue;
      }
      // A spooled event after a retried one is sent again with it (the spool replays in order).
      if (work.from === "spool" && firstRetry >= 0) continue;
      if (verdict === undefined) this.delivered(item, now);
      else {
        failures.push(verdict.failed);
        this.failed(item, verdict.failed);
      }
    }
    if (failures.length > 0) this.reportFailures(failures);
    if (cause === undefined) {
      if (work.from === "spool") await lane.spool!.commit(work.read, items.length);
      this.attempt = 0;
      if (failures.length === 0) lane.lastError = undefined;
      return;
    }
    this.attempt++;
    const delay = this.ctx.backoff.nextDelay(this.attempt);
    if (delay === undefined) {
      // Retries exhausted (a finite retry.maxRetries): these events fail rather than wait forever.
      const skipped = work.from === "spool" ? items.slice(firstRetry) : retries;
      for (const item of skipped) this.failed(item, cause);
      this.reportFailures(skipped.map(() => cause));
      if (work.from === "spool") await lane.spool!.commit(work.read, items.length);
      this.attempt = 0;
      return;
    }
    if (work.from === "spool") await lane.spool!.commit(work.read, firstRetry);
    else lane.buffer.putBack(retries);
    lane.counts.retries++;
    lane.lastError = cause.message;
    this.ctx.metrics.count(MetricName.Retries, 1, lane.labels);
    if (this.attempt === 1) {
      this.ctx.logger.warn("producer lane cannot send; buffering and retrying", {
        lane: lane.name,
        events: retries.length,
        error: cause.message,
      });
    }
    await this.pause(delay);
  }

  /** Records the broker accepted, per destination (a partly failed send counts its accepted ones). */
  private countSent(records: readonly OutboundRecord[], error: unknown): void {
    for (const index of acceptedRecords(records.length, error)) {
      const destination = records[index]!.destination;
      let labels = this.sentLabels.get(destination);
      if (!labels) {
        labels = { lane: this.lane.name, destination };
        this.sentLabels.set(destination, labels);
      }
      this.ctx.metrics.count(MetricName.Sent, 1, labels);
    }
  }

  private delivered(item: LaneItem, now: number): void {
    const { lane } = this;
    lane.counts.delivered++;
    this.ctx.metrics.observe(MetricName.SendLatency, now - item.event.publishedAt, lane.labels);
    item.event.receipt?.settle(lane.deliveredEntry);
  }

  private failed(item: LaneItem, error: KytosEventsError): void {
    const { lane } = this;
    lane.counts.failed++;
    this.ctx.metrics.count(MetricName.Dropped, 1, { lane: lane.name, reason: "rejected" });
    item.event.receipt?.settle({ lane: lane.name, status: "failed", error });
  }

  private reportFailures(failures: readonly KytosEventsError[]): void {
    this.ctx.report(failures[0]!, { phase: "send", lane: this.lane.name, count: failures.length });
  }

  private async pause(ms: number): Promise<void> {
    if (this.stopping) return;
    await sleep(ms, this.abort.signal).catch(() => {});
  }
}

function asError(err: unknown): KytosEventsError {
  if (isKytosEventsError(err)) return err as KytosEventsError;
  return new KytosEventsError(ErrorCode.SendRejected, (err as Error)?.message ?? String(err), { cause: err });
}
