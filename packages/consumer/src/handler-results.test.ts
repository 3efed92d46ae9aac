// Handlers may return nothing or a promise: the consumer runs a synchronous handler without
// waiting on anything, and from an asynchronous one on it waits before the next handler, so
// an event's handlers run in registration order either way and a failure of either kind is
// retried. The memory idempotency store is asked synchronously; duplicates are still caught.
import { createMemoryBroker, createMemoryTransport, MemoryIdempotencyStore } from "@kytos-events/core";
import { afterEach, describe, expect, it } from "vitest";
import { type Consumer, createConsumer } from "./index.js";
import { linkEvent, publish, routerWith, until } from "./test-support.js";

const running: Consumer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop({ timeoutMs: 1000 })));
});

async function setup() {
  const broker = createMemoryBroker();
  const producer = createMemoryTransport({ broker });
  const transport = createMemoryTransport({ broker });
  const router = routerWith(1);
  await producer.ensureDestinations(router.destinationSpecs());
  const consumer = createConsumer({
    transport,
    group: "app",
    from: "beginning",
    idempotency: new MemoryIdempotencyStore(),
    retry: { initialDelayMs: 1, maxDelayMs: 5, jitter: "none", maxAttempts: 5 },
  });
  running.push(consumer);
  const send = (envelopes: Parameters<typeof publish>[1]) => publish(producer, envelopes, router);
  return { broker, consumer, send };
}

describe("handler results", () => {
  it("runs sync and async handlers of one event in registration order", async () => {
    const { consumer, send } = await setup();
    const calls: string[] = [];
    consumer
      .on("kytos/topology.link_down", (e) => {
        calls.push(`sync1 ${e.payload.link?.id}`);
      })
      .on("kytos/topology.*", async (e) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        calls.push(`async ${e.key}`);
      })
      .on("*", (e) => {
        calls.push(`sync2 ${e.key}`);
      });
    await consumer.start();
    await send([linkEvent(false, "l1", { sequence: 1n }), linkEvent(false, "l1", { sequence: 2n })]);
    await until(() => consumer.stats().handled === 2, 2000, "two events handled");
    expect(calls).toEqual(["sync1 l1", "async l1", "sync2 l1", "sync1 l1", "async l1", "sync2 l1"]);
  });

  it("retries a handler that throws synchronously and one that rejects, then handles both once", async () => {
    const { consumer, send } = await setup();
    let throws = 1;
    let rejects = 1;
    let handled = 0;
    consumer
      .on("kytos/topology.link_down", () => {
        if (throws-- > 0) throw new Error("sync failure");
      })
      .on("kytos/topology.link_up", async () => {
        if (rejects-- > 0) throw new Error("async failure");
      })
      .on("*", () => {
        handled++;
      });
    await consumer.start();
    await send([linkEvent(false, "l1", { sequence: 1n }), linkEvent(true, "l2", { sequence: 2n })]);
    await until(() => consumer.stats().handled === 2, 2000, "both events handled");
    expect(consumer.stats()).toMatchObject({ retries: 2, deadLettered: 0 });
    // The catch-all ran only on the successful attempts: a failing handler stops the event's run.
    expect(handled).toBe(2);
  });

  it("skips a redelivered id with the synchronous memory store", async () => {
    const { consumer, send, broker } = await setup();
    const seen: bigint[] = [];
    consumer.on("kytos/topology.link_down", (e) => {
      seen.push(e.sequence);
    });
    await consumer.start();
    const event = linkEvent(false, "l1", { sequence: 1n });
    await send([event, event]);
    await until(() => consumer.stats().duplicates === 1, 2000, "the copy recognised");
    await until(() => broker.committed("app", "kytos.events/0") === 2, 2000, "commit past both");
    expect(seen).toEqual([1n]);
  });
});
