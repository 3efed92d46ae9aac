import { create, toBinary } from "@bufbuild/protobuf";
import {
  ContentType,
  createMemoryBroker,
  createMemoryTransport,
  ErrorCode,
  Header,
  KytosEventsError,
  MemoryIdempotencyStore,
  RecordingMetrics,
} from "@kytos-events/core";
import { EnvelopeSchema, SCHEMA_VERSION } from "@kytos-events/schema";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  type Consumer,
  type ConsumerConfig,
  createConsumer,
  type GapEvent,
  type KytosEvent,
} from "./index.js";
import { linkEvent, publish, routerWith, seeded, switchEnabled, until } from "./test-support.js";

const running: Consumer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop({ timeoutMs: 1000 })));
});

async function setup(partitions = 1) {
  const broker = createMemoryBroker();
  const producer = createMemoryTransport({ broker });
  const transport = createMemoryTransport({ broker });
  const router = routerWith(partitions);
  await producer.ensureDestinations(router.destinationSpecs());
  const consumer = (config: Partial<ConsumerConfig> = {}) => {
    const c = createConsumer({ transport, group: "app", from: "beginning", ...config });
    running.push(c);
    return c;
  };
  return {
    broker,
    producer,
    transport,
    consumer,
    send: (envelopes: Parameters<typeof publish>[1]) => publish(producer, envelopes, router),
  };
}

const links = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) =>
    linkEvent(i % 2 === 0, `link-${i % 7}`, { sequence: BigInt(from + i) }),
  );

describe("typed handlers", () => {
  it("delivers each event to its exact, NApp-wildcard and catch-all handlers with the payload typed by name", async () => {
    const { consumer, send } = await setup();
    const downs: string[] = [];
    const topology: string[] = [];
    const all: string[] = [];
    const c = consumer()
      .on("kytos/topology.link_down", (event) => {
        expectTypeOf(event.payload.link?.id).toEqualTypeOf<string | undefined>();
        downs.push(event.payload.link!.id);
      })
      .on("kytos/topology.*", (event) => {
        topology.push(event.name);
      })
      .on("*", (event) => {
        all.push(event.name);
      });
    await c.start();
    await send([
      linkEvent(false, "l1", { sequence: 1n }),
      linkEvent(true, "l1", { sequence: 2n }),
      switchEnabled("00:01", 3n),
    ]);
    await until(() => all.length === 3, 2000, "three events");
    expect(downs).toEqual(["l1"]);
    // l1's two events in order; the switch event has another key and may run beside them.
    expect(topology.filter((n) => n.includes("link"))).toEqual([
      "kytos/topology.link_down",
      "kytos/topology.link_up",
    ]);
    expect([...topology].sort()).toEqual([...all].sort());
    expect(topology).toContain("kytos/topology.switch.enabled");
    expect(c.stats()).toMatchObject({ received: 3, handled: 3 });
  });

  it("narrows payloads at compile time and refuses names the schema does not have", async () => {
    const { consumer } = await setup();
    const c = consumer();
    c.on("kytos/mef_eline.deployed", (event) => {
      expectTypeOf(event.name).toEqualTypeOf<"kytos/mef_eline.deployed">();
      // @ts-expect-error a deployed-EVC payload has no `link` field
      void event.payload.link;
    });
    c.on("kytos/topology.*", (event) => {
      if (event.name === "kytos/topology.link_up") expectTypeOf(event.payload.link?.id).toBeNullable();
      // @ts-expect-error a NApp wildcard only carries that NApp's events
      if (event.name === "kytos/mef_eline.deployed") return;
    });
    // @ts-expect-error misspelt event name
    expect(() => c.on("kytos/topology.link_dwn", () => {})).toThrow(
      expect.objectContaining({
        code: "KE_UNKNOWN_EVENT_NAME",
        message: expect.stringContaining("link_dwn"),
      }),
    );
    expect(() => c.on("kytos/topolgy.*", () => {})).toThrow(/no event in the schema starts with/);
    expectTypeOf<KytosEvent<"kytos/topology.link_down">["payload"]["reason"]>().toEqualTypeOf<string>();
  });

  it("acknowledges events nobody handles without running anything", async () => {
    const { consumer, send, broker } = await setup();
    const c = consumer().on("kytos/mef_eline.deployed", () => {});
    await c.start();
    await send(links(5));
    await until(() => c.stats().ignored === 5, 2000, "five ignored events");
    await until(() => broker.committed("app", "kytos.events/0") === 5, 2000, "commit past them");
  });
});

describe("configuration", () => {
  it("rejects bad settings with a config error naming the setting", async () => {
    const transport = createMemoryTransport();
    const bad = (config: Partial<ConsumerConfig>) => () =>
      createConsumer({ transport, group: "g", ...config } as ConsumerConfig);
    expect(bad({ group: "" })).toThrow(expect.objectContaining({ code: "KE_CONFIG_INVALID" }));
    expect(bad({ concurrency: 0 })).toThrow(/concurrency/);
    expect(bad({ maxInFlight: 1.5 })).toThrow(/maxInFlight/);
    expect(bad({ from: "start" as never })).toThrow(/from/);
    expect(bad({ retry: { maxAttempts: 0 } })).toThrow(/maxAttempts/);
    expect(bad({ destinations: [] })).toThrow(/destinations/);
    expect(bad({ gaps: { reorderWindowMs: -1 } })).toThrow(/reorderWindowMs/);
    expect(() => createConsumer({ group: "g" } as ConsumerConfig)).toThrow(/transport/);
  });

  it("fails start() with the transport's error for a destination that does not exist", async () => {
    const transport = createMemoryTransport();
    const c = createConsumer({ transport, group: "g", destinations: ["nope"] });
    await expect(c.start()).rejects.toThrow(/"nope" does not exist/);
  });
});

describe("idempotency", () => {
  it("runs the handler once for an event delivered twice, and counts the duplicate", async () => {
    const { consumer, send } = await setup();
    const store = new MemoryIdempotencyStore();
    const seen: string[] = [];
    const c = consumer({ idempotency: store }).on("kytos/topology.link_up", (event) => {
      seen.push(event.id);
    });
    await c.start();
    const event = linkEvent(true, "l1", { sequence: 1n });
    await send([event, linkEvent(true, "l2", { sequence: 2n })]);
    await until(() => c.stats().handled === 2, 2000, "two handled");
    await send([event]); // a redelivery: same id
    await until(() => c.stats().duplicates === 1, 2000, "the duplicate");
    expect(seen).toEqual([event.id, expect.any(String)]);
    expect(await store.seen(event.id)).toBe(true);
  });

  it("checks and marks ids in batches", async () => {
    const { consumer, send } = await setup(1);
    const store = new MemoryIdempotencyStore();
    const calls = { seenMany: 0, seen: 0, markMany: 0, mark: 0 };
    const counting = {
      seen: (id: string) => {
        calls.seen++;
        return store.seen(id);
      },
      seenMany: (ids: readonly string[]) => {
        calls.seenMany++;
        return store.seenMany(ids);
      },
      mark: (id: string, ttl?: number) => {
        calls.mark++;
        return store.mark(id, ttl);
      },
      markMany: (ids: readonly string[], ttl?: number) => {
        calls.markMany++;
        return store.markMany(ids, ttl);
      },
      close: () => store.close(),
    };
    await send(Array.from({ length: 200 }, (_, i) => linkEvent(true, `l${i}`, { sequence: BigInt(i + 1) })));
    const c = consumer({ idempotency: counting, concurrency: 50 }).on("*", () => {});
    await c.start();
    await until(() => c.stats().handled === 200, 5000, "200 handled");
    expect(calls.seen + calls.mark).toBe(0);
    expect(calls.seenMany).toBeLessThan(200 / 5);
    expect(calls.markMany).toBeLessThan(200 / 5);
  });
});

describe("retries and dead letters", () => {
  const fast = { initialDelayMs: 1, maxDelayMs: 5, jitter: "none" as const };

  it("waits out an idempotency store outage without using up attempts or dead-lettering", async () => {
    const { consumer, send } = await setup();
    const store = new MemoryIdempotencyStore();
    let outages = 7;
    const flaky = {
      seen: (id: string) => store.seen(id),
      seenMany: (ids: readonly string[]) =>
        outages-- > 0
          ? Promise.reject(new KytosEventsError(ErrorCode.StoreUnavailable, "redis is down"))
          : store.seenMany(ids),
      mark: (id: string, ttl?: number) => store.mark(id, ttl),
      markMany: (ids: readonly string[], ttl?: number) => store.markMany(ids, ttl),
      close: () => store.close(),
    };
    const attempts: number[] = [];
    const c = consumer({ idempotency: flaky, retry: { ...fast, maxAttempts: 2 } }).on("*", (_e, ctx) => {
      attempts.push(ctx.attempt);
    });
    await c.start();
    await send([linkEvent(true, "l1", { sequence: 1n })]);
    await until(() => c.stats().handled === 1, 5000, "handled after the outage");
    expect(attempts).toEqual([1]);
    expect(c.stats()).toMatchObject({ deadLettered: 0, retries: 7 });
  });

  it("retries a failing handler with backoff and succeeds without a dead letter", async () => {
    const { consumer, send } = await setup();
    const attempts: number[] = [];
    const c = consumer({ retry: { ...fast, maxAttempts: 5 } }).on("kytos/topology.link_up", (_e, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt < 3) throw new Error("flaky downstream");
    });
    await c.start();
    await send([linkEvent(true, "l1", { sequence: 1n })]);
    await until(() => c.stats().handled === 1, 2000, "handled after retries");
    expect(attempts).toEqual([1, 2, 3]);
    expect(c.stats()).toMatchObject({ retries: 2, deadLettered: 0 });
  });

  it("dead-letters a poison event after maxAttempts with the error, and moves on", async () => {
    const { consumer, send, broker } = await setup();
    const metrics = new RecordingMetrics();
    const dead: string[] = [];
    const handled: string[] = [];
    const c = consumer({ retry: { ...fast, maxAttempts: 3 }, metrics })
      .on("kytos/topology.link_down", () => {
        throw new Error("cannot parse link");
      })
      .on("kytos/topology.link_up", (e) => {
        handled.push(e.payload.link!.id);
      })
      .onDeadLetter((d) => {
        dead.push(d.reason);
      });
    await c.start();
    await send([linkEvent(false, "poison", { sequence: 1n }), linkEvent(true, "other", { sequence: 2n })]);
    await until(() => dead.length === 1 && handled.length === 1, 2000, "dead letter and the next event");
    expect(dead[0]).toBe("handler failed after 3 attempts: cannot parse link");
    const dlq = broker.records("kytos.events.dlq");
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.headers[Header.DeadLetterReason]).toContain("cannot parse link");
    expect(c.stats()).toMatchObject({ retries: 2, deadLettered: 1, handled: 1 });
    expect(metrics.counter("kytos_events.consume.dead_letters")).toBe(1);
    await until(() => broker.committed("app", "kytos.events/0") === 2, 2000, "commit past the poison event");
  });

  it("counts attempts per destination: an event read from two destinations gets maxAttempts on each", async () => {
    const { consumer, send, broker } = await setup();
    const attempts: Record<string, number[]> = {};
    const dead: string[] = [];
    const c = consumer({
      destinations: ["kytos.events", "kytos.topology"],
      retry: { ...fast, maxAttempts: 3 },
    })
      .on("kytos/topology.link_down", (_e, ctx) => {
        attempts[ctx.destination] = [...(attempts[ctx.destination] ?? []), ctx.attempt];
        throw new Error("cannot parse link");
      })
      .onDeadLetter((d) => {
        dead.push(d.reason);
      });
    await c.start();
    await send([linkEvent(false, "poison", { sequence: 1n })]);
    await until(() => dead.length === 2, 2000, "a dead letter from each destination");
    expect(attempts).toEqual({ "kytos.events": [1, 2, 3], "kytos.topology": [1, 2, 3] });
    expect(dead).toEqual([
      "handler failed after 3 attempts: cannot parse link",
      "handler failed after 3 attempts: cannot parse link",
    ]);
    expect(broker.records("kytos.events.dlq")).toHaveLength(1);
    expect(broker.records("kytos.topology.dlq")).toHaveLength(1);
  });

  it("dead-letters malformed bytes, and unknown events unless onUnknown takes them", async () => {
    const { consumer, producer, broker } = await setup();
    const unknown: string[] = [];
    // A newer producer's event: a payload field this schema does not have.
    const known = toBinary(
      EnvelopeSchema,
      create(EnvelopeSchema, { id: "01J", type: "kytos/new.thing", schemaVersion: SCHEMA_VERSION, key: "k" }),
    );
    const newer = new Uint8Array([...known, 0xba, 0x3e, 0x02, 0x08, 0x01]);
    const records = [
      { destination: "kytos.events", key: "x", value: new Uint8Array([0xff, 0xff, 0x0f]), headers: {} },
      {
        destination: "kytos.events",
        key: "k",
        value: newer,
        headers: { [Header.ContentType]: ContentType.Protobuf },
      },
    ];
    await producer.send(records);
    const without = consumer({ group: "strict" });
    await without.start();
    await until(() => without.stats().deadLettered === 2, 2000, "both dead-lettered");
    const reasons = broker.records("kytos.events.dlq").map((r) => r.headers[Header.DeadLetterReason]);
    expect(reasons[0]).toMatch(/^malformed: /);
    expect(reasons[1]).toMatch(/^unknown-event: .*kytos\/new\.thing/);

    const lenient = consumer({ group: "lenient" }).onUnknown((event) => {
      unknown.push(`${event.reason} ${event.type}`);
    });
    await lenient.start();
    await until(() => unknown.length === 1 && lenient.stats().deadLettered === 1, 2000, "onUnknown");
    expect(unknown).toEqual(["unknown-event kytos/new.thing"]);
  });
});

describe("newer producers", () => {
  it("hands a known event of a newer schema version to its handler instead of dead-lettering it", async () => {
    const { consumer, producer } = await setup();
    const newer = create(EnvelopeSchema, {
      ...linkEvent(false, "l9", { sequence: 1n }),
      schemaVersion: SCHEMA_VERSION + 1,
    });
    const seen: string[] = [];
    const c = consumer().on("kytos/topology.link_down", (event) => {
      seen.push(event.payload.link!.id);
    });
    await c.start();
    await producer.send([
      {
        destination: "kytos.events",
        key: "l9",
        value: toBinary(EnvelopeSchema, newer),
        headers: { [Header.ContentType]: ContentType.Protobuf },
      },
    ]);
    await until(() => c.stats().handled === 1, 2000, "the newer event");
    expect(seen).toEqual(["l9"]);
    expect(c.stats().deadLettered).toBe(0);
  });
});

describe("key-ordered concurrency", () => {
  it("keeps each key's order under random handler delays while different keys run concurrently", async () => {
    const { consumer, send } = await setup(1);
    const random = seeded(42);
    const keys = 40;
    const perKey = 25;
    const envelopes = [];
    for (let i = 0; i < keys * perKey; i++) {
      envelopes.push(
        linkEvent(i % 3 === 0, `link-${Math.floor(random() * keys)}`, { sequence: BigInt(i + 1) }),
      );
    }
    await send(envelopes);
    const seenByKey = new Map<string, bigint[]>();
    let active = 0;
    let maxActive = 0;
    const c = consumer({ concurrency: 8 }).on("kytos/topology.*", async (event) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, random() * 3));
      const list = seenByKey.get(event.key) ?? [];
      list.push(event.sequence);
      seenByKey.set(event.key, list);
      active--;
    });
    await c.start();
    await until(() => c.stats().handled === envelopes.length, 20_000, "every event");
    for (const [key, sequences] of seenByKey) {
      expect(sequences, key).toEqual([...sequences].sort((a, b) => (a < b ? -1 : 1)));
    }
    expect(maxActive).toBeGreaterThan(1);
    expect(maxActive).toBeLessThanOrEqual(8);
  });

  it("keeps a key's order across a retry: later events of the key wait for the failed one", async () => {
    const { consumer, send } = await setup(1);
    const order: string[] = [];
    let failuresLeft = 2;
    const c = consumer({ concurrency: 4, retry: { initialDelayMs: 20, jitter: "none" } }).on(
      "kytos/topology.*",
      (event) => {
        const tag = `${event.key}#${event.sequence}`;
        if (tag === "a#1" && failuresLeft-- > 0) throw new Error("not yet");
        order.push(tag);
      },
    );
    await c.start();
    await send([
      linkEvent(true, "a", { sequence: 1n }),
      linkEvent(false, "a", { sequence: 2n }),
      linkEvent(true, "b", { sequence: 3n }),
      linkEvent(true, "a", { sequence: 4n }),
      linkEvent(false, "b", { sequence: 5n }),
    ]);
    await until(() => c.stats().handled === 5, 5000, "all five");
    expect(order.filter((t) => t.startsWith("a#"))).toEqual(["a#1", "a#2", "a#4"]);
    expect(order.filter((t) => t.startsWith("b#"))).toEqual(["b#3", "b#5"]);
    // b ran while a was waiting for its retry.
    expect(order.indexOf("b#3")).toBeLessThan(order.indexOf("a#1"));
    expect(c.stats().deferred).toBeGreaterThanOrEqual(2);
  });

  it("never lets the committed position pass a record whose handler has not finished", async () => {
    const { consumer, send, broker } = await setup(1);
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const c = consumer({ concurrency: 8 }).on("kytos/topology.*", async (event) => {
      if (event.key === "slow") await blocked;
    });
    await c.start();
    await send([
      linkEvent(true, "fast-1", { sequence: 1n }),
      linkEvent(true, "slow", { sequence: 2n }), // offset 1
      ...Array.from({ length: 50 }, (_, i) => linkEvent(true, `fast-${i + 2}`, { sequence: BigInt(i + 3) })),
    ]);
    await until(() => c.stats().handled === 51, 2000, "every other event");
    const lane = "kytos.events/0";
    for (let i = 0; i < 20; i++) {
      expect(broker.committed("app", lane)).toBeLessThanOrEqual(1);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    release();
    await until(() => broker.committed("app", lane) === 52, 2000, "commit of everything");
  });
});

describe("gap detection", () => {
  it("raises a gap event naming the missing range and counts lower sequences as duplicates", async () => {
    const { consumer, send } = await setup(1);
    const gaps: GapEvent[] = [];
    const c = consumer({ gaps: { reorderWindowMs: 0 } })
      .on("*", () => {})
      .onGap((gap) => {
        gaps.push(gap);
      });
    await c.start();
    const seqs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 17, 18, 19, 20];
    await send(seqs.map((s) => linkEvent(true, `l${s % 4}`, { sequence: BigInt(s), source: "ctl-1" })));
    await until(() => c.stats().handled === seqs.length, 2000, "all events");
    expect(gaps).toEqual([{ source: "ctl-1", from: 11n, to: 15n, missing: 5n }]);
    // A new event (new id) re-using an old sequence: handled, and counted.
    await send([linkEvent(true, "l1", { sequence: 5n, source: "ctl-1" })]);
    await until(() => c.stats().handled === seqs.length + 1, 2000, "the late one");
    expect(c.stats()).toMatchObject({ gaps: 1, sequenceDuplicates: 1 });
  });

  it("waits for out-of-order sequences within the reorder window before calling it a gap", async () => {
    const { consumer, send } = await setup(3);
    const gaps: GapEvent[] = [];
    // The partitions that get no more events stop holding the hole after laneIdleMs.
    const c = consumer({ gaps: { reorderWindowMs: 300, laneIdleMs: 300 } })
      .on("*", () => {})
      .onGap((gap) => {
        gaps.push(gap);
      });
    await c.start();
    // Three partitions interleave one source's sequences; none is missing.
    await send(
      Array.from({ length: 300 }, (_, i) => linkEvent(true, `l${i % 13}`, { sequence: BigInt(i + 1) })),
    );
    await until(() => c.stats().handled === 300, 5000, "all events");
    // 301..309 never arrive.
    await send([linkEvent(true, "l1", { sequence: 310n })]);
    await until(() => gaps.length === 1, 3000, "the gap after the window");
    expect(gaps[0]).toMatchObject({ from: 301n, to: 309n });
    expect(c.stats().sequenceDuplicates).toBe(0);
  });
});

describe("stop", () => {
  it("finishes in-flight handlers, settles them, and leaves the rest to the group", async () => {
    const { consumer, send, broker } = await setup(1);
    await send(links(100));
    let handled = 0;
    const c = consumer({ concurrency: 4, maxInFlight: 16 }).on("*", async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      handled++;
    });
    await c.start();
    await until(() => handled >= 10, 2000, "some progress");
    const report = await c.stop({ timeoutMs: 2000 });
    expect(report.drained).toBe(true);
    expect(c.state).toBe("stopped");
    const committed = broker.committed("app", "kytos.events/0")!;
    expect(committed).toBe(c.stats().handled);
    expect(handled).toBe(c.stats().handled);
    // The next member of the group starts exactly where this one stopped.
    const next = consumer().on("*", () => {});
    await next.start();
    await until(() => next.stats().handled === 100 - committed, 3000, "the remainder");
  });

  it("aborts the handlers' signal when the deadline passes and still closes", async () => {
    const { consumer, send } = await setup(1);
    let aborted = false;
    const c = consumer().on("*", (_e, ctx) => {
      return new Promise<void>((resolve) => {
        ctx.signal.addEventListener("abort", () => {
          aborted = true;
          resolve();
        });
      });
    });
    await c.start();
    await send(links(1));
    await until(() => c.stats().received === 1, 2000, "delivery");
    const report = await c.stop({ timeoutMs: 50 });
    expect(report.drained).toBe(false);
    expect(aborted).toBe(true);
    expect(report.unsettled).toBe(1);
  });
});
