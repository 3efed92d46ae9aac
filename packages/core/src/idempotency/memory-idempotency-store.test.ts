import { describe, expect, it } from "vitest";
import { MemoryIdempotencyStore } from "./memory-idempotency-store.js";

describe("MemoryIdempotencyStore", () => {
  it("remembers marked ids until their TTL runs out", async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ ttlMs: 1000, now: () => now });
    await store.mark("a");
    await store.mark("b", 5000);
    expect(await store.seenMany(["a", "b", "c"])).toEqual([true, true, false]);
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

  it("rejects a non-positive capacity or TTL", () => {
    expect(() => new MemoryIdempotencyStore({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => new MemoryIdempotencyStore({ ttlMs: 0 })).toThrow(/ttlMs/);
  });
});
