// The Redis store against the Redis server on loopback (REDIS_URL). Each run uses its own key
// prefix and deletes its keys afterwards.
import { randomUUID } from "node:crypto";
import { createMemoryBroker, createMemoryTransport } from "@kytos-events/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsumer } from "../consumer.js";
import type { HandlerContext, KytosEvent } from "../event.js";
import { linkEvent, publish, routerWith, until } from "../test-support.js";
import { RedisIdempotencyStore } from "./index.js";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `kytos-events-test:${randomUUID()}:`;
let client: Redis;

beforeAll(async () => {
  client = new Redis(url, { maxRetriesPerRequest: 1 });
  await client.ping();
});

afterAll(async () => {
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
  await client.quit();
});

const store = (ttlMs?: number) =>
  new RedisIdempotencyStore({ client, keyPrefix: `${prefix}ids:`, ...(ttlMs ? { ttlMs } : {}) });

const context = { attempt: 1 } as HandlerContext;
const asEvent = (id: string) => ({ id }) as KytosEvent as never;

describe("RedisIdempotencyStore", () => {
  it("remembers marked ids, answers many at once in order, and forgets them after the TTL", async () => {
    const s = store();
    await s.markMany(["a", "b"]);
    expect(await s.seen("a")).toBe(true);
    expect(await s.seenMany(["x", "b", "a", "y"])).toEqual([false, true, true, false]);
    await s.mark("short", 50);
    expect(await s.seen("short")).toBe(true);
    const deadline = Date.now() + 2000;
    while ((await s.seen("short")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await s.seen("short")).toBe(false);
    expect(await client.pttl(`${prefix}ids:a`)).toBeGreaterThan(23 * 3600 * 1000);
  });

  it("applies a transactional handler's Redis writes together with the mark, once per event id", async () => {
    const s = store();
    const counter = `${prefix}counter`;
    const handler = s.withTransaction(async (event, _ctx, tx) => {
      tx.call("HINCRBY", counter, event.id, 1).call("INCR", `${counter}:total`);
    });
    await handler(asEvent("e1"), context);
    await handler(asEvent("e1"), context); // a redelivery
    await Promise.all(Array.from({ length: 20 }, () => handler(asEvent("e2"), context))); // racing copies
    expect(await client.hgetall(counter)).toEqual({ e1: "1", e2: "1" });
    expect(await client.get(`${counter}:total`)).toBe("2");
    expect(await s.seenMany(["e1", "e2"])).toEqual([true, true]);
  });

  it("applies nothing and marks nothing when the handler throws", async () => {
    const s = store();
    const handler = s.withTransaction(async (_event, _ctx, tx) => {
      tx.call("SET", `${prefix}never`, "1");
      throw new Error("boom");
    });
    await expect(handler(asEvent("e3"), context)).rejects.toThrow("boom");
    expect(await client.exists(`${prefix}never`)).toBe(0);
    expect(await s.seen("e3")).toBe(false);
  });

  it("reports a command Redis rejects as the event's failure (KE_HANDLER_FAILED), not as an outage", async () => {
    const s = store();
    await client.set(`${prefix}plain-string`, "x");
    const handler = s.withTransaction(async (_event, _ctx, tx) => {
      tx.call("HINCRBY", `${prefix}plain-string`, "f", 1); // WRONGTYPE
    });
    await expect(handler(asEvent("e4"), context)).rejects.toMatchObject({
      code: "KE_HANDLER_FAILED",
      message: expect.stringContaining("WRONGTYPE"),
    });
    expect(await s.seen("e4")).toBe(false);
  });

  it("fails with KE_STORE_UNAVAILABLE, naming Redis, when the server cannot be reached", async () => {
    const down = new Redis({
      port: 1,
      host: "127.0.0.1",
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    down.on("error", () => {});
    await down.connect().catch(() => {});
    const s = new RedisIdempotencyStore({ client: down });
    await expect(s.seenMany(["a"])).rejects.toMatchObject({
      code: "KE_STORE_UNAVAILABLE",
      message: expect.stringContaining("redis idempotency store: check failed"),
    });
    await expect(s.mark("a")).rejects.toMatchObject({ code: "KE_STORE_UNAVAILABLE" });
    down.disconnect();
  });

  it("rejects a config without a client", () => {
    expect(() => new RedisIdempotencyStore({} as never)).toThrow(
      expect.objectContaining({ code: "KE_CONFIG_INVALID" }),
    );
  });

  it("lets a consumer skip redeliveries across consumer instances sharing the store", async () => {
    const broker = createMemoryBroker();
    const producer = createMemoryTransport({ broker });
    const router = routerWith(1);
    await producer.ensureDestinations(router.destinationSpecs());
    const events = Array.from({ length: 50 }, (_, i) =>
      linkEvent(true, `l${i}`, { sequence: BigInt(i + 1) }),
    );
    await publish(producer, events, router);
    const handled: string[] = [];
    const run = async (group: string) => {
      const c = createConsumer({
        transport: createMemoryTransport({ broker }),
        group,
        from: "beginning",
        idempotency: store(),
      }).on("*", (e) => {
        handled.push(e.id);
      });
      await c.start();
      await until(() => c.stats().received === 50, 5000, `group ${group} to read everything`);
      await until(() => c.stats().handled + c.stats().duplicates === 50, 5000, "settled");
      await c.stop();
      return c.stats();
    };
    expect((await run("first")).handled).toBe(50);
    // Another group re-reads the same events (as a replay would): all recognised.
    expect(await run("replay")).toMatchObject({ handled: 0, duplicates: 50 });
    expect(handled).toHaveLength(50);
  });
});
