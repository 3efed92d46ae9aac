// The idempotency store on PostgreSQL (pg): a table of handled event ids with an expiry,
// `(id text primary key, expires_at timestamptz)`. `seenMany` is one SELECT over an array of
// ids, `markMany` one INSERT ... ON CONFLICT over an array.
//
// What it guarantees, precisely:
// - As `idempotency` of a consumer: the id is checked before the handlers and marked after
//   they succeed. A crash (or a lost connection) between the handlers' success and the mark
//   leaves the id unmarked: the redelivered record runs the handlers again. At most the
//   records in flight at the crash are repeated.
// - With `withTransaction(handler)`: the handler gets a client inside a transaction that has
//   already inserted the event id; its writes and the id commit together or not at all. A
//   redelivery finds the id and skips the handler (and a concurrent delivery of the same id,
//   on another instance, waits on the row lock and then skips), so writes made through that
//   client happen effectively once. What is not covered: side effects outside the
//   transaction (HTTP calls, other databases), and an id that expired or was purged before
//   its redelivery.
import { ErrorCode, type IdempotencyStore, KytosEventsError } from "@kytos-events/core";
import type { EventName } from "@kytos-events/schema";
import type { Pool, PoolClient } from "pg";
import type { EventHandler, HandlerContext, KytosEventOf } from "../event.js";

export interface PostgresIdempotencyStoreConfig {
  /** A pg Pool; the store does not end it unless `closePool` is true. */
  readonly pool: Pool;
  /** Table name, optionally schema-qualified. Default "kytos_events_handled". */
  readonly table?: string;
  /** How long a handled id is remembered, ms. Default 24 h. */
  readonly ttlMs?: number;
  /** Create the table (and its expiry index) if missing, on first use. Default true. */
  readonly createTable?: boolean;
  /** End the pool in close(). Default false. */
  readonly closePool?: boolean;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export class PostgresIdempotencyStore implements IdempotencyStore {
  readonly table: string;
  readonly ttlMs: number;
  private readonly pool: Pool;
  private readonly qualified: string;
  private readonly sql: { seen: string; mark: string; claim: string; purge: string };
  private ready: Promise<void> | undefined;

  constructor(private readonly config: PostgresIdempotencyStoreConfig) {
    if (!config?.pool || typeof config.pool.query !== "function") {
      throw invalid("`pool` must be a pg Pool.");
    }
    this.pool = config.pool;
    this.table = config.table ?? "kytos_events_handled";
    const parts = this.table.split(".");
    if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
      throw invalid(`table "${this.table}" is not a plain or schema-qualified SQL identifier.`);
    }
    this.qualified = parts.map((p) => `"${p}"`).join(".");
    this.ttlMs = config.ttlMs ?? 24 * 60 * 60 * 1000;
    if (!Number.isInteger(this.ttlMs) || this.ttlMs < 1) {
      throw invalid(`ttlMs must be a positive integer, got ${this.ttlMs}.`);
    }
    const t = this.qualified;
    const expiry = "now() + $2::bigint * interval '1 millisecond'";
    this.sql = {
      seen: `SELECT id FROM ${t} WHERE id = ANY($1::text[]) AND expires_at > now()`,
      mark:
        `INSERT INTO ${t} (id, expires_at) SELECT unnest($1::text[]), ${expiry} ` +
        "ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at",
      // Inserts the id, or takes over an expired row; no row back = handled already.
      claim:
        `INSERT INTO ${t} AS h (id, expires_at) VALUES ($1, ${expiry}) ` +
        "ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE h.expires_at <= now() RETURNING id",
      purge: `DELETE FROM ${t} WHERE expires_at <= now()`,
    };
  }

  async seen(id: string): Promise<boolean> {
    return (await this.seenMany([id]))[0] === true;
  }

  async seenMany(ids: readonly string[]): Promise<boolean[]> {
    if (ids.length === 0) return [];
    await this.ensureTable();
    const result = await this.query<{ id: string }>("check", this.sql.seen, [ids]);
    const found = new Set(result.rows.map((r) => r.id));
    return ids.map((id) => found.has(id));
  }

  async mark(id: string, ttlMs?: number): Promise<void> {
    await this.markMany([id], ttlMs);
  }

  async markMany(ids: readonly string[], ttlMs = this.ttlMs): Promise<void> {
    if (ids.length === 0) return;
    await this.ensureTable();
    // One row per id: ON CONFLICT cannot touch the same row twice in one statement.
    await this.query("mark", this.sql.mark, [[...new Set(ids)], Math.max(1, Math.round(ttlMs))]);
  }

  /** Deletes expired ids; returns how many. Run it from a timer or a cron job. */
  async purgeExpired(): Promise<number> {
    await this.ensureTable();
    return (await this.query("purge", this.sql.purge, [])).rowCount ?? 0;
  }

  /**
   * Wraps a handler so that it runs inside a transaction that records the event id: the
   * handler's writes through `client` and the id commit together (effectively once). When
   * the id is already recorded the handler is not called. A throw rolls everything back and
   * the consumer retries the event.
   */
  withTransaction<N extends EventName>(
    handler: (event: KytosEventOf<N>, context: HandlerContext, client: PoolClient) => void | Promise<void>,
  ): EventHandler<N> {
    return async (event, context) => {
      await this.ensureTable();
      let client: PoolClient;
      try {
        client = await this.pool.connect();
      } catch (err) {
        throw unavailable("connect", err);
      }
      let broken: Error | undefined;
      // The store's own statements fail as KE_STORE_UNAVAILABLE (retried, attempts kept);
      // the handler's errors pass through as they are (retried, then dead-lettered).
      const store = async (what: string, text: string, values?: unknown[]) => {
        try {
          return await client.query(text, values);
        } catch (err) {
          throw unavailable(what, err);
        }
      };
      try {
        await store("begin", "BEGIN");
        const claimed = await store("claim", this.sql.claim, [event.id, this.ttlMs]);
        if (claimed.rowCount === 0) {
          await store("rollback", "ROLLBACK");
          return;
        }
        await handler(event, context, client);
        await store("commit", "COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch((rollbackError: unknown) => {
          broken = rollbackError as Error;
        });
        throw err;
      } finally {
        // A connection that could not roll back is destroyed rather than reused mid-transaction.
        client.release(broken);
      }
    };
  }

  async close(): Promise<void> {
    if (this.config.closePool) await this.pool.end();
  }

  private ensureTable(): Promise<void> {
    if (this.config.createTable === false) return Promise.resolve();
    this.ready ??= this.createTable().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async createTable(): Promise<void> {
    const name = this.table.split(".").pop()!;
    const statements = [
      `CREATE TABLE IF NOT EXISTS ${this.qualified} (id text PRIMARY KEY, expires_at timestamptz NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS "${name}_expires_at" ON ${this.qualified} (expires_at)`,
    ];
    for (const statement of statements) {
      try {
        await this.pool.query(statement);
      } catch (err) {
        // Two instances creating it at once: the loser sees a duplicate; the table is there.
        const code = (err as { code?: string }).code;
        if (code === "23505" || code === "42P07") continue;
        throw unavailable("create table", err);
      }
    }
  }

  private async query<R extends Record<string, unknown> = Record<string, unknown>>(
    what: string,
    text: string,
    values: unknown[],
  ) {
    try {
      return await this.pool.query<R>(text, values);
    } catch (err) {
      throw unavailable(what, err);
    }
  }
}

function invalid(message: string): KytosEventsError {
  return new KytosEventsError(ErrorCode.ConfigInvalid, `postgres idempotency store: ${message}`);
}

function unavailable(what: string, err: unknown): KytosEventsError {
  return new KytosEventsError(
    ErrorCode.StoreUnavailable,
    `postgres idempotency store: ${what} failed: ${(err as Error)?.message ?? String(err)}. ` +
      "The record is retried; check that PostgreSQL is reachable and the table is writable.",
    { cause: err },
  );
}
