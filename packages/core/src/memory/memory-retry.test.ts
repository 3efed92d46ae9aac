// Regression: retries must be redelivered without any other event waking the subscription —
// also when several are pending (the timer follows the earliest) and when a timer fires a
// little before Date.now() reaches the due time.
import { describe, expect, it } from "vitest";
import { createMemoryTransport } from "./memory-transport.js";

describe("memory transport retries", () => {
  it("redelivers every pending retry on its own, in due order", async () => {
    const transport = createMemoryTransport();
    await transport.ensureDestinations([{ name: "d", partitions: 1 }]);
    const keys = ["a", "b", "c", "d", "e"];
    await transport.send(
      keys.map((key) => ({ destination: "d", key, value: new Uint8Array([1]), headers: {} })),
    );
    const subscription = await transport.subscribe({ group: "g", destinations: ["d"], fromBeginning: true });
    const iterator = subscription[Symbol.asyncIterator]();
    let batch = [];
    for (let i = 0; i < keys.length; i++) batch.push((await iterator.next()).value!);
    for (let round = 0; round < 10; round++) {
      // Different delays, so the earliest retry is not the last one scheduled.
      await Promise.all(batch.map((r, i) => r.retry({ delayMs: 1 + ((i * 7 + round) % 5) })));
      const again = [];
      for (let i = 0; i < keys.length; i++) {
        const next = await Promise.race([
          iterator.next(),
          new Promise<"stalled">((resolve) => setTimeout(() => resolve("stalled"), 1000)),
        ]);
        if (next === "stalled")
          throw new Error(`round ${round}: retry ${i + 1} of ${keys.length} never came back`);
        again.push(next.value!);
      }
      expect(again.map((r) => r.key).sort()).toEqual(keys);
      expect(again.every((r) => r.attempt === round + 2)).toBe(true);
      batch = again;
    }
    await transport.close();
  });
});
