// Reads what the consumers did from Redis (the layout is in consumer-process.ts) and says what
// the scenario's promises need: which sequences never had their effect applied, which effects
// were applied more than once, which keys saw their effects out of sequence order, and how
// often a handler ran for nothing (a redelivery turned away by the store's transaction).
import type { Redis } from "ioredis";

export interface Ledger {
  /** Distinct events whose effect was applied. */
  readonly distinct: number;
  /** Effects applied in all (distinct + repeats). */
  readonly applied: number;
  /** Event ids whose effect was applied more than once. */
  readonly repeated: string[];
  /** Sequences 1..expected with no effect applied. */
  readonly missing: number[];
  /** Sequences applied that the producer never handed out (above expected). */
  readonly unexpected: number[];
  /** Keys whose effect log is not in strictly increasing sequence order, with the first offending pair. */
  readonly outOfOrder: { key: string; after: number; came: number }[];
  /** Keys with an effect log. */
  readonly keys: number;
  /** Handler runs (first runs and redeliveries that reached the handler). */
  readonly runs: number;
  readonly gaps: string[];
}

/** How many effects are applied so far (cheap: for polling). */
export async function appliedCount(redis: Redis, prefix: string): Promise<number> {
  return redis.hlen(`${prefix}:effects`);
}

export async function readLedger(redis: Redis, prefix: string, expected: number): Promise<Ledger> {
  const effects = await redis.hgetall(`${prefix}:effects`);
  const repeated = Object.entries(effects)
    .filter(([, n]) => Number(n) !== 1)
    .map(([id]) => id);
  const applied = Object.values(effects).reduce((sum, n) => sum + Number(n), 0);

  const bySequence = await redis.hgetall(`${prefix}:seq`);
  const missing: number[] = [];
  for (let s = 1; s <= expected; s++) if (!(String(s) in bySequence)) missing.push(s);
  const unexpected = Object.keys(bySequence)
    .map(Number)
    .filter((s) => s < 1 || s > expected)
    .sort((a, b) => a - b);

  const outOfOrder: Ledger["outOfOrder"] = [];
  const logKeys = await scan(redis, `${prefix}:log:*`);
  for (const logKey of logKeys) {
    const log = (await redis.lrange(logKey, 0, -1)).map(Number);
    for (let i = 1; i < log.length; i++) {
      if (log[i]! <= log[i - 1]!) {
        outOfOrder.push({ key: logKey.slice(prefix.length + 5), after: log[i - 1]!, came: log[i]! });
        break;
      }
    }
  }
  return {
    distinct: Object.keys(effects).length,
    applied,
    repeated,
    missing,
    unexpected,
    outOfOrder,
    keys: logKeys.length,
    runs: Number((await redis.get(`${prefix}:runs`)) ?? 0),
    gaps: await redis.lrange(`${prefix}:gaps`, 0, -1),
  };
}

/** Deletes everything a scenario wrote under `prefix`. */
export async function dropLedger(redis: Redis, prefix: string): Promise<void> {
  const keys = await scan(redis, `${prefix}:*`);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
}

async function scan(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== "0");
  return found;
}
