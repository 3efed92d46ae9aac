import { describe, expect, it } from "vitest";
import { isSyncIdempotencyStore } from "./idempotency-store.js";
import { MemoryIdempotencyStore } from "./memory-idempotency-store.js";

describe("MemoryIdempotencyStore", () => {
  it("remembers marked ids until their TTL runs out", async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ ttlMs: 1000, now: () => now });
    await store.mark("a");
    await store.mark("b", 5000);
    expect(await store.seenMany(["a", "b", "c"])).toEqual([true, true, false]);
    now = 999;
    expect(await store.seen("a")).toBe(true);
    now = 1000;
    expect(await store.seen("a")).toBe(false);
    expect(await store.seen("b")).toBe(true);
  });

  it("evicts the least recently marked ids beyond its capacity and counts them", async () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 3 });
    await store.markMany(["a", "b", "c"]);
    await store.mark("a"); // refreshed: now the youngest
    await store.mark("d");
    expect(await store.seenMany(["a", "b", "c", "d"])).toEqual([true, false, true, true]);
    expect(store.evictions).toBe(1);
    expect(store.size).toBe(3);
  });

  it("does not count an expired entry pushed out for room as an eviction", async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ maxEntries: 2, ttlMs: 100, now: () => now });
    await store.markMany(["a", "b"]);
    now = 150;
    await store.markMany(["c", "d"]);
    expect(store.evictions).toBe(0);
    await store.mark("e");
    expect(store.evictions).toBe(1);
    expect(await store.seenMany(["c", "d", "e"])).toEqual([false, true, true]);
  });

  it("lets one caller claim an id, refuses others until release or lease expiry, and never re-claims a marked id", async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ now: () => now });
    expect(await store.claim("x", 500)).toBe(true);
    expect(await store.claim("x", 500)).toBe(false); // in progress elsewhere
    expect(await store.seen("x")).toBe(false); // a claim is not a mark
    await store.release("x");
    expect(await store.claim("x", 500)).toBe(true); // a retry after a failed handler
    now = 500;
    expect(await store.claim("x", 500)).toBe(true); // the first owner crashed: lease ran out
    await store.mark("x");
    await store.release("x"); // no effect on a marked id
    expect(await store.seen("x")).toBe(true);
    expect(await store.claim("x", 500)).toBe(false);
  });

  it("rejects a non-positive capacity, TTL or lease, and calls after close", async () => {
    expect(() => new MemoryIdempotencyStore({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => new MemoryIdempotencyStore({ ttlMs: 0 })).toThrow(/ttlMs/);
    const store = new MemoryIdempotencyStore();
    await expect(store.mark("a", -1)).rejects.toMatchObject({ code: "KE_CONFIG_INVALID" });
    await expect(store.claim("a", Number.NaN)).rejects.toThrow(/leaseMs/);
    await store.close();
    await expect(store.seen("a")).rejects.toMatchObject({ code: "KE_CLOSED" });
  });
});

describe("MemoryIdempotencyStore, synchronous calls", () => {
  it("answers seenNow/markNow in the calling turn, shares state with the async calls, and throws after close", async () => {
    const store = new MemoryIdempotencyStore();
    expect(isSyncIdempotencyStore(store)).toBe(true);
    expect(store.seenNow("a")).toBe(false);
    store.markNow("a");
    expect(store.seenNow("a")).toBe(true);
    expect(await store.seen("a")).toBe(true);
    await store.mark("b");
    expect(store.seenNow("b")).toBe(true);
    expect(() => store.markNow("c", 0)).toThrow(/ttlMs/);
    await store.close();
    expect(() => store.seenNow("a")).toThrow(expect.objectContaining({ code: "KE_CLOSED" }));
  });
});
