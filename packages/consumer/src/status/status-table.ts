// A live table of the latest status of every link (switch, interface), built from the
// compacted status destination: read from the beginning it holds only the newest event per
// key, so the table bootstraps without replaying history, then follows live events.
//
// Per key, an event is applied only when it is newer than the entry (higher sequence from the
// same source; otherwise later occurred_at, then later UUIDv7 id), so a redelivered or
// reordered stale event never overwrites a newer state. Change notifications are coalesced:
// during bootstrap they gather until ready (one per key, its state then), afterwards
// listeners run once per changed key per flush, with its final state, so a key that changed
// many times while the table was behind is reported once.
//
// The table declares its destination itself (as the default routing does, or, for a name of
// its own, compacted and bound to its entity's status events), so one started before any producer — on RabbitMQ, where a queue receives only what is
// published after its bindings exist — still receives every event from then on.
import { randomUUID } from "node:crypto";
import {
  type DestinationSpec,
  decodeEnvelope,
  ErrorCode,
  type InboundRecord,
  KytosEventsError,
  type Logger,
  Router,
  type Subscription,
  silentLogger,
  type Transport,
} from "@kytos-events/core";
import {
  type Envelope,
  findEventDescriptor,
  type StatusEntity,
  type StatusState,
} from "@kytos-events/schema";
import { type BootstrapSignal, BootstrapWatch } from "./bootstrap-watch.js";

export interface StatusTableConfig {
  readonly transport: Transport;
  /** The compacted status destination. Default "kytos.status.<entity>" (the router's default). */
  readonly destination?: string;
  /**
   * Consumer group. Default: a new one per table instance, so every start reads the
   * destination from the beginning. On RabbitMQ each group is a durable queue: pass a stable
   * name there, or every start leaves a queue behind.
   */
  readonly group?: string;
  /**
   * Partitions the destination is created with if it does not exist yet (Kafka); match the
   * producer's routing (statusPartitions). Default 3, the router's default.
   */
  readonly partitions?: number;
  /** Delivered-but-unsettled records. Default 1024. */
  readonly maxInFlight?: number;
  /**
   * Bootstrap without an end-of-log signal from the transport: no record for this long counts
   * as caught up; on Kafka, how long to wait for a first record before asking whether an
   * empty destination is caught up. ms. Default 1000.
   */
  readonly quietMs?: number;
  /** ready() rejects with KE_TIMEOUT when bootstrap takes longer, ms. Default 60 000. */
  readonly bootstrapTimeoutMs?: number;
  /** How long changes gather before listeners run, ms; 0 = at the next turn of the event loop. Default 0. */
  readonly coalesceMs?: number;
  /** Default: silent. */
  readonly logger?: Logger;
}

/** The latest status of one entity. */
export interface StatusEntry {
  /** Link id, switch dpid or interface id. */
  readonly id: string;
  readonly state: StatusState;
  /** The event that set it, e.g. "kytos/topology.link_down". */
  readonly event: string;
  readonly source: string;
  readonly sequence: bigint;
  readonly occurredAt: Date | undefined;
  readonly envelope: Envelope;
}

export interface StatusChange {
  readonly id: string;
  readonly current: StatusEntry;
  /** The entry before the first of the coalesced events; undefined for a new key. */
  readonly previous: StatusEntry | undefined;
  /** How many events for this key were applied since its last notification. */
  readonly coalesced: number;
}

export type StatusChangeListener = (change: StatusChange) => void;

export interface StatusTableStats {
  /** Status events that became the entry of their key. */
  readonly applied: number;
  /** Events older than the entry they would replace (ignored). */
  readonly stale: number;
  /** Records that were not a status event of this entity, or not decodable (ignored). */
  readonly ignored: number;
  /** Listener calls made (per key per flush). */
  readonly notifications: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class StatusTable implements Iterable<StatusEntry> {
  private readonly entries = new Map<string, StatusEntry>();
  private readonly dirty = new Map<string, { previous: StatusEntry | undefined; count: number }>();
  private readonly listeners = new Set<StatusChangeListener>();
  private readonly counts: Mutable<StatusTableStats> = { applied: 0, stale: 0, ignored: 0, notifications: 0 };
  private flushTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private subscription: Subscription | undefined;
  private watch: BootstrapWatch | undefined;
  private reading: Promise<void> | undefined;
  private readonly readyPromise: Promise<void>;
  private settleReady!: (err?: Error) => void;
  private started = false;
  /** Until ready, changes only gather: bootstrap notifies once per key, with its state at ready. */
  private bootstrapping = true;
  private stopping = false;
  readonly destination: string;
  readonly group: string;
  private readonly logger: Logger;

  constructor(
    readonly entity: StatusEntity,
    private readonly config: StatusTableConfig,
  ) {
    if (!config?.transport || typeof config.transport.subscribe !== "function") {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `${entity} status table: \`transport\` is required.`,
      );
    }
    for (const [name, value] of [
      ["maxInFlight", config.maxInFlight],
      ["partitions", config.partitions],
      ["quietMs", config.quietMs],
      ["bootstrapTimeoutMs", config.bootstrapTimeoutMs],
      ["coalesceMs", config.coalesceMs],
    ] as const) {
      if (
        value !== undefined &&
        !(Number.isFinite(value) && value >= (name === "maxInFlight" || name === "partitions" ? 1 : 0))
      ) {
        throw new KytosEventsError(
          ErrorCode.ConfigInvalid,
          `${entity} status table: ${name} is out of range: ${value}.`,
        );
      }
    }
    this.destination = config.destination ?? `kytos.status.${entity}`;
    this.group = config.group ?? `kytos-events-status-${entity}-${randomUUID()}`;
    this.logger = config.logger ?? silentLogger;
    this.readyPromise = new Promise<void>((resolve, reject) => {
      this.settleReady = (err) => (err ? reject(err) : resolve());
    });
    this.readyPromise.catch(() => {}); // rejection is for callers of ready(), not unhandled
  }

  /**
   * Declares the destination (see the module comment), subscribes to it from the beginning
   * and starts applying events.
   */
  async start(): Promise<void> {
    if (this.started)
      throw new KytosEventsError(ErrorCode.ConfigInvalid, `${this.entity} status table: already started.`);
    this.started = true;
    const { transport } = this.config;
    await transport.connect();
    await transport.ensureDestinations([
      destinationSpec(this.entity, this.destination, this.config.partitions),
    ]);
    this.subscription = await transport.subscribe({
      group: this.group,
      destinations: [this.destination],
      fromBeginning: true,
      maxInFlight: this.config.maxInFlight ?? 1024,
    });
    this.watch = new BootstrapWatch(
      transport,
      this.subscription,
      this.destination,
      this.config.quietMs ?? 1000,
    );
    const timeoutMs = this.config.bootstrapTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      this.bootstrapping = false;
      this.flush();
      this.settleReady(
        new KytosEventsError(
          ErrorCode.Timeout,
          `${this.entity} status table: "${this.destination}" was not read to its end within ${timeoutMs} ms ` +
            `(signal: ${this.watch?.signal}); check the transport, or raise bootstrapTimeoutMs.`,
        ),
      );
    }, timeoutMs);
    timer.unref?.();
    this.watch.done.then(() => {
      clearTimeout(timer);
      this.bootstrapping = false;
      this.flush();
      this.settleReady();
    });
    this.reading = this.read(this.subscription);
  }

  /**
   * Resolves once the table holds everything the destination held when it started (see the
   * README for how each transport tells), so get() answers with the latest known state.
   */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** How ready() decides, once started. */
  get bootstrapSignal(): BootstrapSignal | undefined {
    return this.watch?.signal;
  }

  get(id: string): StatusEntry | undefined {
    return this.entries.get(id);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get size(): number {
    return this.entries.size;
  }

  [Symbol.iterator](): IterableIterator<StatusEntry> {
    return this.entries.values();
  }

  /** Runs `listener` once per changed key per flush; returns a function that removes it. */
  on(event: "change", listener: StatusChangeListener): () => void {
    if (event !== "change")
      throw new KytosEventsError(ErrorCode.ConfigInvalid, `unknown status table event "${event}".`);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): StatusTableStats {
    return { ...this.counts };
  }

  /** Stops reading; the table keeps its entries. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.watch?.close();
    this.settleReady(
      new KytosEventsError(ErrorCode.Closed, `${this.entity} status table stopped before it was ready.`),
    );
    await this.subscription?.close();
    await this.reading;
    this.flush();
  }

  private async read(subscription: Subscription): Promise<void> {
    try {
      for await (const record of subscription) {
        this.apply(record);
        // Applied in memory: settle now so delivery never waits on the listeners.
        record.ack().catch(() => {});
        this.watch!.delivered(record.position, record.timestamp);
      }
    } catch (err) {
      this.logger.error(`${this.entity} status table: the subscription failed`, {
        error: (err as Error).message,
      });
    }
  }

  private apply(record: InboundRecord): void {
    const decoded = decodeEnvelope(record.value, record.headers);
    const envelope = decoded.ok ? decoded.envelope : undefined;
    const status = envelope ? findEventDescriptor(envelope.type)?.status : undefined;
    if (!envelope || !status || status.entity !== this.entity || envelope.key === "") {
      this.counts.ignored++;
      if (!decoded.ok) {
        this.logger.warn(`${this.entity} status table: undecodable record ignored`, {
          reason: decoded.reason,
          position: `${record.position.lane}@${record.position.offset}`,
        });
      }
      return;
    }
    const id = envelope.key;
    const current = this.entries.get(id);
    if (current && !isNewer(envelope, current.envelope)) {
      this.counts.stale++;
      return;
    }
    const ts = envelope.occurredAt;
    this.entries.set(id, {
      id,
      state: status.state,
      event: envelope.type,
      source: envelope.source,
      sequence: envelope.sequence,
      occurredAt: ts ? new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6)) : undefined,
      envelope,
    });
    this.counts.applied++;
    const change = this.dirty.get(id);
    if (change) change.count++;
    else this.dirty.set(id, { previous: current, count: 1 });
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.bootstrapping) return;
    const ms = this.config.coalesceMs ?? 0;
    this.flushTimer = ms > 0 ? setTimeout(() => this.flush(), ms) : setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer as NodeJS.Timeout);
      clearImmediate(this.flushTimer as NodeJS.Immediate);
      this.flushTimer = undefined;
    }
    if (this.dirty.size === 0) return;
    const changes = [...this.dirty];
    this.dirty.clear();
    for (const [id, { previous, count }] of changes) {
      const change: StatusChange = { id, current: this.entries.get(id)!, previous, coalesced: count };
      for (const listener of this.listeners) {
        this.counts.notifications++;
        try {
          listener(change);
        } catch (err) {
          this.logger.error(`${this.entity} status table: a change listener threw`, {
            error: (err as Error).message,
          });
        }
      }
    }
  }
}

/**
 * How the table declares its destination: as the default routing declares a destination of
 * that name (kytos.status.link, or kytos.events for a table over the verbose stream), else as
 * this entity's compacted status destination under that name — the router's spec for it,
 * taken from a probe routing that names the status destination after the entity alone (and
 * the NApp destinations so that none can take that name).
 */
function destinationSpec(
  entity: StatusEntity,
  name: string,
  partitions: number | undefined,
): DestinationSpec {
  const sized = partitions !== undefined ? { partitions, statusPartitions: partitions } : {};
  const known = new Router(sized).destinationSpecs().find((s) => s.name === name);
  if (known) return known;
  const probe = new Router({
    ...sized,
    nappDestination: "status-table-probe.{topic}",
    verboseDestination: false,
    statusDestination: "{entity}",
  });
  const spec = probe.destinationSpecs().find((s) => s.name === entity);
  if (!spec) throw new KytosEventsError(ErrorCode.ConfigInvalid, `no status events for entity "${entity}".`);
  return { ...spec, name };
}

/** Same source: the sequence decides. Otherwise the later event, then the later (UUIDv7) id. */
function isNewer(incoming: Envelope, current: Envelope): boolean {
  if (incoming.source === current.source && incoming.sequence !== current.sequence) {
    return incoming.sequence > current.sequence;
  }
  const a = millis(incoming);
  const b = millis(current);
  if (a !== b) return a > b;
  return incoming.id > current.id;
}

function millis(envelope: Envelope): number {
  const ts = envelope.occurredAt;
  return ts ? Number(ts.seconds) * 1000 + ts.nanos / 1e6 : 0;
}

/** The latest status of every link, from `kytos.status.link`. */
export class LinkStatusTable extends StatusTable {
  constructor(config: StatusTableConfig) {
    super("link", config);
  }
}

/** The latest status of every switch, from `kytos.status.switch`. */
export class SwitchStatusTable extends StatusTable {
  constructor(config: StatusTableConfig) {
    super("switch", config);
  }
}

/** The latest status of every interface, from `kytos.status.interface`. */
export class InterfaceStatusTable extends StatusTable {
  constructor(config: StatusTableConfig) {
    super("interface", config);
  }
}
