// The producer: what a controller-side bridge calls. `publish` and `publishKytos` envelope and
// encode an event once, hand it to every lane whose filter takes it, and return a receipt at
// once — they never wait for a broker and never throw for broker trouble (bad input is reported
// through `onError` and the receipt, or thrown with `strict`). Each lane's pump sends in the
// background. `reload` swaps lanes' configuration between two publishes; `close` drains within
// a deadline and says what could not be sent.

import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import {
  createEnvelope,
  ErrorCode,
  encodeEnvelope,
  Header,
  isKytosEventsError,
  KytosEventsError,
  MetricName,
  type Pipeline,
} from "@kytos-events/core";
import {
  type Envelope,
  type EventInit,
  type EventName,
  type EventPayload,
  fromKytosJson,
  getEventDescriptor,
} from "@kytos-events/schema";
import {
  type ErrorContext,
  type ProducerConfig,
  type ReloadConfig,
  type ResolvedConfig,
  type ResolvedLane,
  resolveConfig,
  resolveLanes,
} from "./config.js";
import { Lane, type LaneStats } from "./lane.js";
import { type CheckedEvent, checkEncoded, checkEnvelope, type EncodedEvent } from "./prebuilt.js";
import { applyPublishHook } from "./publish-hook.js";
import { eventSize, type LaneItem, type PublishedEvent } from "./published-event.js";
import { Pump } from "./pump.js";
import { type PublishReceipt, Receipt } from "./receipt.js";
import { Sequencer } from "./sequence/sequencer.js";
import { Spool } from "./spool/spool.js";

export interface ProducerStats {
  readonly source: string;
  /** The last sequence number used. */
  readonly sequence: bigint;
  /** Events refused before reaching a lane: unknown name, content that does not map, or the producer closed. */
  readonly refused: { readonly invalid: number; readonly closed: number };
  readonly lanes: readonly LaneStats[];
}

export interface LaneCloseReport {
  readonly lane: string;
  /** Events not sent by the deadline and written to the spool (sent after the next start). */
  readonly spooled: number;
  /** Events not sent by the deadline and not kept anywhere (no spool, or it was full). */
  readonly lost: number;
  /** Bytes left in the lane's spool for the next start. */
  readonly spoolBacklogBytes: number;
}

export interface ProducerCloseReport {
  /** True when every lane sent everything before the deadline. */
  readonly drained: boolean;
  readonly lanes: readonly LaneCloseReport[];
  /** Sum of `lost` over the lanes. */
  readonly lost: number;
}

interface LaneRuntime {
  readonly lane: Lane;
  readonly pump: Pump;
}

export class Producer {
  private readonly config: ResolvedConfig;
  private readonly sequencer: Sequencer;
  private runtimes: LaneRuntime[] = [];
  private readonly retiring = new Set<LaneRuntime>();
  private readonly admitted: (Pipeline | undefined)[] = [];
  private allFiltered: Receipt | undefined;
  private pipelineVersion = 1;
  private readonly refused = { invalid: 0, closed: 0 };
  private closing: Promise<ProducerCloseReport> | undefined;
  private readonly onError: ProducerConfig["onError"];

  constructor(config: ProducerConfig) {
    this.config = resolveConfig(config);
    this.onError = config.onError;
    this.sequencer = new Sequencer(this.config.source, config.sequenceStore, (error) =>
      this.report(error, { phase: "publish" }),
    );
    this.runtimes = this.config.lanes.map((lane) => this.start(lane));
  }

  /**
   * Publishes a typed event: the name picks the payload type (a wrong payload does not compile).
   * Returns at once; never throws for broker trouble.
   */
  publish<N extends EventName>(name: N, init: EventInit<N>): PublishReceipt {
    if (this.closing) return this.refuseClosed(name);
    let payload: EventPayload<N>;
    try {
      payload = create(getEventDescriptor(name).schema, init as never) as unknown as EventPayload<N>;
    } catch (err) {
      return this.refuse(err, name);
    }
    return this.accept(name, payload);
  }

  /**
   * Publishes an event as the controller raised it: its name and its content as the Kytos-ng
   * serialisers write it (objects as as_dict()). An unknown name or content that does not map
   * is counted and reported through `onError` and the receipt (thrown only with `strict`).
   */
  publishKytos(name: string, content: unknown): PublishReceipt {
    if (this.closing) return this.refuseClosed(name);
    let payload: EventPayload<EventName>;
    try {
      payload = fromKytosJson(name as EventName, content);
    } catch (err) {
      return this.refuse(err, name);
    }
    return this.accept(name, payload);
  }

  /**
   * Publishes an envelope the caller built (core's `createEnvelope`, or one read from elsewhere):
   * it is sent with its own id, source, sequence and key — the producer's sequence does not move —
   * encoded once in the producer's format. Same receipt, filters, buffers and never-throw rules
   * as `publish`; an envelope that is not consistent (unknown type, payload of another event, a
   * key that is not the schema's, no id or source) is refused like bad input.
   */
  publishEnvelope(envelope: Envelope): PublishReceipt {
    const name = String(envelope?.type ?? "");
    if (this.closing) return this.refuseClosed(name);
    let checked: CheckedEvent;
    try {
      checked = checkEnvelope(envelope);
    } catch (err) {
      return this.refuse(err, name);
    }
    const wanted = this.admit(checked.type);
    if (wanted === 0) return this.filteredEverywhere();
    let event: PublishedEvent;
    try {
      const { value, headers } = encodeEnvelope(envelope, this.config.format);
      event = publishedEvent(checked, value, headers, wanted);
    } catch (err) {
      return this.refuse(err, name);
    }
    return this.offer(event);
  }

  /**
   * Publishes an envelope already encoded — `{ ...encodeEnvelope(envelope), key: envelope.key }`
   * — as it is: the bytes sent are the caller's, so the producer does no per-event encoding.
   * Only the headers are checked (event name known, id present, a content type the SDK reads);
   * the bytes are not decoded. Same receipt, filters, buffers and never-throw rules as `publish`.
   */
  publishEncoded(encoded: EncodedEvent): PublishReceipt {
    const name = String(encoded?.headers?.[Header.EventType] ?? "");
    if (this.closing) return this.refuseClosed(name);
    let checked: CheckedEvent;
    try {
      checked = checkEncoded(encoded);
    } catch (err) {
      return this.refuse(err, name);
    }
    const wanted = this.admit(checked.type);
    if (wanted === 0) return this.filteredEverywhere();
    return this.offer(publishedEvent(checked, encoded.value, encoded.headers, wanted));
  }

  /**
   * Applies new lane settings. Everything is validated first (a bad config throws and changes
   * nothing); then each event published afterwards is decided by the new settings, and each one
   * published before by the old — none lost, none sent twice. A lane given another transport
   * switches between two sends and closes the old one if it owned it; a lane left out drains
   * and closes in the background.
   */
  reload(config: ReloadConfig): void {
    if (this.closing) throw new KytosEventsError(ErrorCode.Closed, "producer: reload after close.");
    const resolved = resolveLanes(config?.lanes, this.pipelineVersion + 1);
    this.checkTransportMoves(resolved);
    this.pipelineVersion++;
    const byName = new Map(this.runtimes.map((r) => [r.lane.name, r]));
    const next: LaneRuntime[] = [];
    for (const lane of resolved) {
      const runtime = byName.get(lane.config.name);
      byName.delete(lane.config.name);
      if (!runtime) {
        next.push(this.start(lane));
        continue;
      }
      runtime.lane.reconfigure(lane);
      runtime.lane.transport = lane.config.transport;
      runtime.lane.ownsTransport = lane.config.ownsTransport ?? true;
      runtime.lane.wake();
      next.push(runtime);
    }
    for (const removed of byName.values()) this.retire(removed);
    this.runtimes = next;
    this.allFiltered = undefined;
    this.config.logger.info("producer reloaded", { lanes: next.map((r) => r.lane.name) });
  }

  /**
   * Resolves once every lane is connected with its destinations created. Publishing does not
   * need it (events wait in the buffers); rejects with KE_TIMEOUT naming the lanes still waiting.
   */
  async ready(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const all = Promise.all(this.runtimes.map((r) => r.pump.ready()));
    if (await withDeadline(all, Date.now() + timeoutMs)) return;
    const waiting = this.runtimes.filter((r) => !r.lane.ready).map((r) => describeWaiting(r.lane));
    throw new KytosEventsError(
      ErrorCode.Timeout,
      `producer: lane(s) not ready after ${timeoutMs} ms: ${waiting.join("; ")}.`,
    );
  }

  /** Resolves true once everything published so far is settled (sent, spooled-and-replayed, dropped or failed); false at the deadline. */
  async flush(options: { timeoutMs?: number } = {}): Promise<boolean> {
    const all = Promise.all([...this.runtimes, ...this.retiring].map((r) => r.pump.drained()));
    return withDeadline(all, Date.now() + (options.timeoutMs ?? this.config.closeTimeoutMs));
  }

  stats(): ProducerStats {
    return {
      source: this.config.source,
      sequence: this.sequencer.upcoming - 1n,
      refused: { ...this.refused },
      lanes: [...this.runtimes, ...this.retiring].map((r) => r.lane.stats()),
    };
  }

  /**
   * Stops accepting events, sends what waits until `timeoutMs` (default: closeTimeoutMs), then
   * spools (with a spool) or counts as lost what is left, closes the transports it owns and
   * saves the sequence. Calling it again returns the same report.
   */
  close(options: { timeoutMs?: number } = {}): Promise<ProducerCloseReport> {
    this.closing ??= this.shutdown(options.timeoutMs ?? this.config.closeTimeoutMs);
    return this.closing;
  }

  // --- publishing ---

  private accept(type: string, payload: EventPayload<EventName>): PublishReceipt {
    const wanted = this.admit(type);
    if (wanted === 0) return this.filteredEverywhere();
    const sequence = this.sequencer.upcoming;
    let event: PublishedEvent;
    try {
      const envelope = createEnvelope({
        type: type as EventName,
        payload,
        source: this.config.source,
        sequence,
      });
      const { value, headers } = encodeEnvelope(envelope, this.config.format);
      event = publishedEvent(envelope, value, headers, wanted);
    } catch (err) {
      return this.refuse(err, type);
    }
    // Taken only once the event is sure to go out: a refused event leaves no gap in the sequence.
    this.sequencer.take();
    return this.offer(event);
  }

  /** Asks every lane's filter (each answer kept in `admitted`); returns how many lanes take the event. */
  private admit(type: string): number {
    const runtimes = this.runtimes;
    const admitted = this.admitted;
    let wanted = 0;
    for (let i = 0; i < runtimes.length; i++) {
      const pipeline = runtimes[i]!.lane.admits(type);
      admitted[i] = pipeline;
      if (pipeline) wanted++;
    }
    return wanted;
  }

  /** Hands the event to the lanes `admit` found taking it; the others note it filtered. */
  private offer(event: PublishedEvent): PublishReceipt {
    const runtimes = this.runtimes;
    const admitted = this.admitted;
    const receipt = event.receipt!;
    const hook = this.config.onPublish;
    for (let i = 0; i < runtimes.length; i++) {
      const pipeline = admitted[i];
      const lane = runtimes[i]!.lane;
      if (!pipeline) receipt.note(lane.filteredEntry);
      else if (hook) lane.offer(applyPublishHook(hook, event, lane, pipeline, this.config.logger), pipeline);
      else lane.offer(event, pipeline);
    }
    return receipt;
  }

  private filteredEverywhere(): Receipt {
    if (!this.allFiltered) {
      this.allFiltered = new Receipt("", 0n, false, 0);
      for (const r of this.runtimes) this.allFiltered.note(r.lane.filteredEntry);
    }
    return this.allFiltered;
  }

  private refuse(err: unknown, type: string): PublishReceipt {
    const error = isKytosEventsError(err)
      ? err
      : new KytosEventsError(
          ErrorCode.MappingInvalid,
          `event "${type}" cannot be published: ${(err as Error)?.message ?? String(err)}`,
          {
            cause: err,
          },
        );
    this.refused.invalid++;
    this.config.metrics.count(MetricName.Dropped, 1, { reason: "invalid" });
    this.report(error, { phase: "publish", event: type });
    if (this.config.strict) throw error;
    return new Receipt("", 0n, false, 0, error);
  }

  private refuseClosed(type: string): PublishReceipt {
    const error = new KytosEventsError(
      ErrorCode.Closed,
      `producer is closed: event "${type}" was not published.`,
    );
    this.refused.closed++;
    this.config.metrics.count(MetricName.Dropped, 1, { reason: "closed" });
    if (this.refused.closed === 1)
      this.config.logger.warn("publish after close: events are refused", { event: type });
    if (this.config.strict) throw error;
    return new Receipt("", 0n, false, 0, error);
  }

  private report(error: KytosEventsError, context: ErrorContext): void {
    const level = context.phase === "publish" || context.phase === "connect" ? "warn" : "error";
    this.config.logger[level](`producer ${context.phase} error: ${error.message}`, {
      ...context,
      code: error.code,
    });
    if (!this.onError) return;
    try {
      this.onError(error, context);
    } catch (hookError) {
      this.config.logger.error("producer onError hook threw; ignored", { error: String(hookError) });
    }
  }

  // --- lanes ---

  private start(resolved: ResolvedLane): LaneRuntime {
    const c = this.config;
    const name = resolved.config.name;
    const spool = c.spool
      ? new Spool(join(c.spool.dir, name), c.spool, (error) =>
          this.report(error, { phase: "spool", lane: name }),
        )
      : undefined;
    const lane = new Lane(resolved, spool, c.metrics);
    const pump = new Pump(lane, {
      batch: {
        ...c.batch,
        maxEvents: Math.min(c.batch.maxEvents, resolved.buffer.maxEvents),
        maxBytes: Math.min(c.batch.maxBytes, resolved.buffer.maxBytes),
      },
      backoff: c.backoff,
      metrics: c.metrics,
      logger: c.logger,
      report: (error, context) => this.report(error, context),
    });
    return { lane, pump };
  }

  /** A lane dropped by reload: it sends what it holds, then stops and closes its transport. */
  private retire(runtime: LaneRuntime): void {
    this.retiring.add(runtime);
    void runtime.pump
      .drained()
      .then(async () => {
        if (this.closing || !this.retiring.has(runtime)) return;
        this.retiring.delete(runtime);
        runtime.pump.stop();
        await runtime.pump.done;
        await runtime.lane.spool?.close();
        if (runtime.pump.ownsTransport) await runtime.pump.transport.close();
      })
      .catch((err: unknown) => {
        this.config.logger.warn("closing a removed lane failed", {
          lane: runtime.lane.name,
          error: String(err),
        });
      });
  }

  /** A transport belongs to one lane: moving it to another lane on reload would close it under that lane. */
  private checkTransportMoves(resolved: readonly ResolvedLane[]): void {
    for (const lane of resolved) {
      for (const r of [...this.runtimes, ...this.retiring]) {
        if (
          r.lane.name !== lane.config.name &&
          (r.lane.transport === lane.config.transport || r.pump.transport === lane.config.transport)
        ) {
          throw new KytosEventsError(
            ErrorCode.ConfigInvalid,
            `producer: lane "${lane.config.name}" is given the transport of lane "${r.lane.name}"; create a new transport instead.`,
          );
        }
      }
    }
  }

  // --- closing ---

  private async shutdown(timeoutMs: number): Promise<ProducerCloseReport> {
    const deadline = Date.now() + timeoutMs;
    const runtimes = [...this.runtimes, ...this.retiring];
    this.retiring.clear();
    const drained = await withDeadline(Promise.all(runtimes.map((r) => r.pump.drained())), deadline);
    for (const r of runtimes) r.pump.stop();
    const stopped = await withDeadline(Promise.all(runtimes.map((r) => r.pump.done)), deadline);
    const lanes: LaneCloseReport[] = [];
    for (const r of runtimes) lanes.push(await this.closeLane(r, stopped));
    const grace = Math.max(deadline, Date.now() + 1000);
    const transports = runtimes.map((r) =>
      r.pump.ownsTransport ? r.pump.transport.close() : Promise.resolve(),
    );
    await withDeadline(
      Promise.allSettled([...transports, ...runtimes.map((r) => r.pump.retiredClosing())]),
      grace,
    );
    this.sequencer.close();
    const lost = lanes.reduce((sum, l) => sum + l.lost, 0);
    this.config.logger.info("producer closed", { drained, lost });
    return { drained, lanes, lost };
  }

  /** What the lane still holds goes to the front of its spool, or is counted as lost. */
  private async closeLane(runtime: LaneRuntime, stopped: boolean): Promise<LaneCloseReport> {
    const { lane, pump } = runtime;
    const left: LaneItem[] = [...(stopped ? [] : pump.abandon()), ...lane.buffer.close()];
    let spooled = 0;
    if (lane.spool && left.length > 0) {
      try {
        await lane.spool.flushed();
        spooled = lane.spool.writeFront(left.map((item) => item.event));
      } catch (err) {
        this.report(asSpoolError(err, lane.spool.dir), { phase: "spool", lane: lane.name });
      }
    }
    for (let i = 0; i < left.length; i++) {
      const item = left[i]!;
      if (spooled > 0) item.event.receipt?.settle(lane.spooledEntry);
      else lane.drop(item, "closed");
    }
    await lane.spool?.close();
    const lost = spooled > 0 ? 0 : left.length;
    return { lane: lane.name, spooled, lost, spoolBacklogBytes: lane.spool?.backlogBytes ?? 0 };
  }
}

/** Creates a producer and starts its lanes (connecting in the background; see `ready`). */
export function createProducer(config: ProducerConfig): Producer {
  return new Producer(config);
}

/** The event as lanes hold it, with the receipt `wanted` lanes settle. */
function publishedEvent(
  built: { readonly id: string; readonly type: string; readonly key: string; readonly sequence: bigint },
  value: Uint8Array,
  headers: Readonly<Record<string, string>>,
  wanted: number,
): PublishedEvent {
  const { id, type, key, sequence } = built;
  return {
    id,
    sequence,
    type,
    key,
    value,
    headers,
    size: eventSize(value, key, type),
    publishedAt: performance.now(),
    receipt: new Receipt(id, sequence, true, wanted),
  };
}

/** True when `promise` settles before `deadline` (ms since the epoch). */
async function withDeadline(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

function describeWaiting(lane: Lane): string {
  return `"${lane.name}" (${lane.transport.kind}${lane.lastError ? `: ${lane.lastError}` : ""})`;
}

function asSpoolError(err: unknown, dir: string): KytosEventsError {
  return new KytosEventsError(
    ErrorCode.StoreUnavailable,
    `spool ${dir}: could not keep the events left at close: ${(err as Error).message}.`,
    { cause: err },
  );
}
