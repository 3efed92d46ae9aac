// The idempotency store on Redis (ioredis). One key per handled event id with a TTL: `mark` is
// SET NX PX, `seenMany` is one pipeline of EXISTS. Shared by every instance of a consumer
// group, so a redelivery to another instance after a rebalance is recognised too.
//
// What it guarantees, precisely: the consumer checks the id before running the handlers and
// marks it after they succeed, then settles the record. A crash (or a lost connection to
// Redis) after the handlers succeeded and before the mark is stored leaves the id unmarked,
// so the redelivered record runs the handlers again: at most the records in flight at the
// crash are repeated. `withTransaction` closes that window for side effects that are
// themselves Redis writes: they and the mark are applied by one Lua script, atomically.
import { ErrorCode, type IdempotencyStore, KytosEventsError } from "@kytos-events/core";
import type { EventName } from "@kytos-events/schema";
import type { Cluster, Redis } from "ioredis";
import type { EventHandler, HandlerContext, KytosEventOf } from "../event.js";
import { RedisTransaction } from "./redis-transaction.js";

export interface RedisIdempotencyStoreConfig {
  /** A connected ioredis client; the store does not close it unless `closeClient` is true. */
  readonly client: Redis | Cluster;
  /** Prepended to each event id. Default "kytos-events:handled:". */
  readonly keyPrefix?: string;
  /** How long a handled id is remembered, ms. Default 24 h. */
  readonly ttlMs?: number;
  /** Quit the client in close(). Default false. */
  readonly closeClient?: boolean;
}

/** Returns 0 when the id is already marked (nothing applied), else applies the commands, marks, returns 1. */
const APPLY_ONCE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local i = 3
for c = 1, tonumber(ARGV[2]) do
  local argc = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + argc))
  i = i + argc + 1
end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return 1
`;

export class RedisIdempotencyStore implements IdempotencyStore {
  readonly keyPrefix: string;
  readonly ttlMs: number;
  private readonly client: Redis | Cluster;

  constructor(private readonly config: RedisIdempotencyStoreConfig) {
    if (!config?.client || typeof config.client.pipeline !== "function") {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        "redis idempotency store: `client` must be an ioredis client.",
      );
    }
    this.client = config.client;
    this.keyPrefix = config.keyPrefix ?? "kytos-events:handled:";
    this.ttlMs = config.ttlMs ?? 24 * 60 * 60 * 1000;
    if (!Number.isInteger(this.ttlMs) || this.ttlMs < 1) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `redis idempotency store: ttlMs must be a positive integer, got ${this.ttlMs}.`,
      );
    }
  }

  async seen(id: string): Promise<boolean> {
    return (await this.seenMany([id]))[0] === true;
  }

  async seenMany(ids: readonly string[]): Promise<boolean[]> {
    if (ids.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const id of ids) pipeline.exists(this.keyPrefix + id);
    const results = await this.run("check", () => pipeline.exec());
    return results.map(([, value]) => value === 1);
  }

  async mark(id: string, ttlMs?: number): Promise<void> {
    await this.markMany([id], ttlMs);
  }

  async markMany(ids: readonly string[], ttlMs = this.ttlMs): Promise<void> {
    if (ids.length === 0) return;
    const ttl = Math.max(1, Math.round(ttlMs));
    const pipeline = this.client.pipeline();
    for (const id of ids) pipeline.set(this.keyPrefix + id, "1", "PX", ttl, "NX");
    await this.run("mark", () => pipeline.exec());
  }

  /**
   * Wraps a handler whose side effects are Redis writes, queued on `tx` instead of sent: the
   * writes and the mark of the event id are applied together by one script, or not at all
   * when the id was already marked (a redelivery) — effectively once. The script runs
   * atomically; a command that fails at run time (wrong type) stops it, and Redis does not
   * roll back the commands before it, so queue only commands that cannot fail that way. On
   * a cluster, every key must hash to the same slot as the id key (use a hash tag).
   */
  withTransaction<N extends EventName>(
    handler: (event: KytosEventOf<N>, context: HandlerContext, tx: RedisTransaction) => void | Promise<void>,
  ): EventHandler<N> {
    return async (event, context) => {
      const tx = new RedisTransaction();
      await handler(event, context, tx);
      const args = [String(this.ttlMs), String(tx.commands.length)];
      for (const command of tx.commands) args.push(String(command.length), ...command);
      await this.run("apply", () => this.client.eval(APPLY_ONCE, 1, this.keyPrefix + event.id, ...args));
    };
  }

  async close(): Promise<void> {
    if (this.config.closeClient) await this.client.quit().catch(() => {});
  }

  private async run<T>(what: string, operation: () => Promise<T | null>): Promise<T> {
    let result: T | null;
    try {
      result = await operation();
    } catch (err) {
      throw (err as Error)?.name === "ReplyError" ? rejected(what, err) : unavailable(what, err);
    }
    if (result === null) throw unavailable(what, new Error("the pipeline was discarded"));
    if (Array.isArray(result)) {
      const failed = (result as [Error | null, unknown][]).find(([error]) => error);
      if (failed) throw unavailable(what, failed[0]);
    }
    return result;
  }
}

/** Redis answered with an error (a queued command of the wrong type, say): the event's fault, not the store's. */
function rejected(what: string, err: unknown): KytosEventsError {
  return new KytosEventsError(
    ErrorCode.HandlerFailed,
    `redis idempotency store: ${what}: Redis rejected a command: ${(err as Error).message}.`,
    { cause: err },
  );
}

function unavailable(what: string, err: unknown): KytosEventsError {
  return new KytosEventsError(
    ErrorCode.StoreUnavailable,
    `redis idempotency store: ${what} failed: ${(err as Error)?.message ?? String(err)}. ` +
      "The record is retried; check that Redis is reachable.",
    { cause: err },
  );
}
