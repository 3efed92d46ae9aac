// The BAPM consumer: the consumer SDK on the EVC lifecycle and link events, each handler
// running inside a PostgreSQL transaction that also records the event id (the consumer
// package's PostgresIdempotencyStore, transactional mode). At-least-once delivery plus that
// transaction gives effectively-once rows: a redelivered event finds its id and changes
// nothing. The same store is the consumer's `idempotency`, so redeliveries are also
// recognised in batches before a transaction is opened (and counted as duplicates).
import {
  type Consumer,
  type ConsumerStats,
  createConsumer,
  type EventHandler,
  type KytosEventOf,
  type StopReport,
} from "@kytos-events/consumer";
import { PostgresIdempotencyStore } from "@kytos-events/consumer/postgres";
import type { Logger, Metrics, Transport } from "@kytos-events/core";
import type { OtelTracing } from "@kytos-events/otel";
import type { EventName } from "@kytos-events/schema";
import type { Pool, PoolClient } from "pg";
import { circuitEvents, linkEvents, recordCircuitEvent, recordLinkEvent } from "./bapm-records.js";
import { type BapmTables, createTables } from "./tables.js";

export interface BapmConsumerConfig {
  readonly transport: Transport;
  readonly pool: Pool;
  readonly tables: BapmTables;
  /** Consumer group. Default "bapm". */
  readonly group?: string;
  /** The NApp destinations of mef_eline and topology. Default ["kytos.mef_eline", "kytos.topology"]. */
  readonly destinations?: readonly string[];
  /** Handlers at once (different circuits and links; one at a time per key). Default 8. */
  readonly concurrency?: number;
  readonly logger?: Logger;
  /** Where the consumer reports (records, handler time, lag, dead letters…). Default: nowhere. */
  readonly metrics?: Metrics;
  /** Each handler run in a process span, child of the publish span. Default: untraced. */
  readonly tracing?: OtelTracing;
}

export interface BapmStats extends ConsumerStats {
  /** Events whose rows were written (the transaction committed with a new id). */
  readonly applied: number;
}

export class BapmConsumer {
  private readonly consumer: Consumer;
  private readonly store: PostgresIdempotencyStore;
  private applied = 0;

  constructor(private readonly config: BapmConsumerConfig) {
    const { pool, tables } = config;
    this.store = new PostgresIdempotencyStore({ pool, table: tables.handled });
    this.consumer = createConsumer({
      transport: config.transport,
      group: config.group ?? "bapm",
      destinations: config.destinations ?? ["kytos.mef_eline", "kytos.topology"],
      from: "beginning",
      concurrency: config.concurrency ?? 8,
      idempotency: this.store,
      // Two NApp destinations carry a part of the controller's events: the per-source
      // sequence has holes by design here, so gap detection would only raise false alarms.
      gaps: false,
      ...(config.logger ? { logger: config.logger } : {}),
      ...(config.metrics ? { metrics: config.metrics } : {}),
      ...(config.tracing ? { aroundHandler: config.tracing.aroundHandler } : {}),
    });
    for (const name of circuitEvents) {
      this.consumer.on(
        name,
        this.transactional((client, event) => recordCircuitEvent(client, tables, event)),
      );
    }
    for (const name of linkEvents) {
      this.consumer.on(
        name,
        this.transactional((client, event) => recordLinkEvent(client, tables, event)),
      );
    }
  }

  /**
   * The handler in the store's transaction; `applied` counts commits that wrote rows (the
   * store skips the handler when the id is already recorded).
   */
  private transactional<N extends EventName>(
    write: (client: PoolClient, event: KytosEventOf<N>) => Promise<void>,
  ): EventHandler<N> {
    const wrote = new Set<string>();
    const handler = this.store.withTransaction<N>(async (event, _context, client) => {
      await write(client, event);
      wrote.add(event.id);
    });
    return async (event, context) => {
      try {
        await handler(event, context);
        if (wrote.has(event.id)) this.applied++;
      } finally {
        wrote.delete(event.id);
      }
    };
  }

  async start(): Promise<void> {
    await createTables(this.config.pool, this.config.tables);
    await this.consumer.start();
  }

  stats(): BapmStats {
    return { ...this.consumer.stats(), applied: this.applied };
  }

  stop(timeoutMs = 30_000): Promise<StopReport> {
    return this.consumer.stop({ timeoutMs });
  }
}
