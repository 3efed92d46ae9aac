import { createMemoryBroker, createMemoryTransport, ErrorCode, Router } from "@kytos-events/core";
import { afterEach, describe, expect, it } from "vitest";
import { type Consumer, type ConsumerConfig, createConsumer, type HandlerRunInfo } from "./index.js";
import { linkEvent, recordsFor, until } from "./test-support.js";

const running: Consumer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop({ timeoutMs: 1000 })));
});

const router = new Router({ partitions: 1, statusPartitions: 1 });

async function setup() {
  const broker = createMemoryBroker();
  const producer = createMemoryTransport({ broker });
  const transport = createMemoryTransport({ broker });
  await producer.ensureDestinations(router.destinationSpecs());
  const consumer = (config: Partial<ConsumerConfig> = {}) => {
    const c = createConsumer({ transport, group: "app", from: "beginning", ...config });
    running.push(c);
    return c;
  };
  return { producer, consumer };
}

describe("aroundHandler hook", () => {
  it("wraps each handler run with the record's destination, headers and the event's identity", async () => {
    const { producer, consumer } = await setup();
    const order: string[] = [];
    const infos: HandlerRunInfo[] = [];
    const c = consumer({
      aroundHandler: async (info, run) => {
        infos.push(info);
        order.push("before");
        await run();
        order.push("after");
      },
    }).on("kytos/topology.link_down", () => {
      order.push("handler");
    });
    await c.start();
    const event = linkEvent(false, "l1", { sequence: 1n });
    const [record] = recordsFor(producer, [event], router).filter((r) => r.destination === "kytos.events");
    await producer.send([{ ...record!, headers: { ...record!.headers, traceparent: "00-a-b-01" } }]);
    await until(() => c.stats().handled === 1, 2000, "the event handled");
    expect(order).toEqual(["before", "handler", "after"]);
    expect(infos).toEqual([
      {
        id: event.id,
        type: "kytos/topology.link_down",
        key: "l1",
        source: "kytos-test",
        sequence: 1n,
        destination: "kytos.events",
        headers: expect.objectContaining({ traceparent: "00-a-b-01", "ke-event-id": event.id }),
        attempt: 1,
        group: "app",
        transport: "memory",
        bodySize: record!.value.byteLength,
      },
    ]);
  });

  it("sees a handler's error thrown through run(), and the event is retried with a higher attempt", async () => {
    const { producer, consumer } = await setup();
    const outcomes: string[] = [];
    let calls = 0;
    const c = consumer({
      retry: { initialDelayMs: 1, maxDelayMs: 5 },
      aroundHandler: async (info, run) => {
        try {
          await run();
          outcomes.push(`attempt ${info.attempt}: ok`);
        } catch (err) {
          outcomes.push(`attempt ${info.attempt}: ${(err as Error).message}`);
          throw err;
        }
      },
    }).on("kytos/topology.link_down", () => {
      if (++calls === 1) throw new Error("first try fails");
    });
    await c.start();
    await producer.send(
      recordsFor(producer, [linkEvent(false, "l1", { sequence: 1n })], router).filter(
        (r) => r.destination === "kytos.events",
      ),
    );
    await until(() => c.stats().handled === 1, 2000, "the event handled on its second attempt");
    expect(outcomes).toEqual(["attempt 1: first try fails", "attempt 2: ok"]);
  });

  it("a hook that never calls run() fails the event: retried, then dead-lettered, never taken as handled", async () => {
    const { producer, consumer } = await setup();
    let handlerRuns = 0;
    const dead: string[] = [];
    const c = consumer({
      retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 },
      aroundHandler: async () => {},
    })
      .on("kytos/topology.link_down", () => {
        handlerRuns++;
      })
      .onDeadLetter((d) => {
        dead.push(d.reason);
      });
    await c.start();
    await producer.send(
      recordsFor(producer, [linkEvent(false, "l1", { sequence: 1n })], router).filter(
        (r) => r.destination === "kytos.events",
      ),
    );
    await until(() => dead.length === 1, 2000, "the event dead-lettered");
    expect(handlerRuns).toBe(0);
    expect(c.stats()).toMatchObject({ handled: 0, deadLettered: 1, retries: 1 });
    expect(dead[0]).toContain("aroundHandler returned without calling run()");
  });

  it("runs the handlers once even if the hook calls run() twice", async () => {
    const { producer, consumer } = await setup();
    let handlerRuns = 0;
    const c = consumer({
      aroundHandler: async (_info, run) => {
        await run();
        await run();
      },
    }).on("kytos/topology.link_down", () => {
      handlerRuns++;
    });
    await c.start();
    await producer.send(
      recordsFor(producer, [linkEvent(false, "l1", { sequence: 1n })], router).filter(
        (r) => r.destination === "kytos.events",
      ),
    );
    await until(() => c.stats().handled === 1, 2000, "the event handled");
    expect(handlerRuns).toBe(1);
  });

  it("is not called for events without a handler", async () => {
    const { producer, consumer } = await setup();
    let hookCalls = 0;
    const c = consumer({
      aroundHandler: async (_info, run) => {
        hookCalls++;
        await run();
      },
    }).on("kytos/mef_eline.*", () => {});
    await c.start();
    await producer.send(
      recordsFor(producer, [linkEvent(false, "l1", { sequence: 1n })], router).filter(
        (r) => r.destination === "kytos.events",
      ),
    );
    await until(() => c.stats().ignored === 1, 2000, "the event ignored");
    expect(hookCalls).toBe(0);
  });

  it("is refused at creation when it is not a function", () => {
    const transport = createMemoryTransport();
    expect(() => createConsumer({ transport, group: "app", aroundHandler: {} as never })).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid }),
    );
  });
});
