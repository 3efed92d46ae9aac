// The producer side on the real RabbitMQ: a send resolves only when the broker holds every
// record (publisher confirms), messages are persistent with content type and headers, one
// publish reaches every queue whose bindings carry the event, unroutable records are failures
// of their own, and a burst beyond the confirm window and the socket buffer loses nothing.
import { ErrorCode, Header, type KytosEventsError, type OutboundRecord, SendError } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AmqpRecord } from "./amqp-record.js";
import { type AmqpTransport, createAmqpTransport } from "./amqp-transport.js";
import { amqpUrl, BrokerView, TEST_QUEUE_EXPIRES_MS, unique } from "./test-support.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (r: { value: Uint8Array }) => decoder.decode(r.value);

describe("publishing to RabbitMQ", () => {
  let transport: AmqpTransport;
  let broker: BrokerView;
  const open: Collector[] = [];

  beforeAll(async () => {
    transport = createAmqpTransport({
      url: amqpUrl(),
      queueExpiresMs: TEST_QUEUE_EXPIRES_MS,
      maxUnconfirmed: 64,
    });
    await transport.connect();
    broker = await BrokerView.open();
  });

  afterAll(async () => {
    await Promise.allSettled(open.map((c) => c.close()));
    await transport?.close();
    await broker?.close();
  });

  /** A NApp destination with its event prefix, and a record maker for it. */
  async function napp() {
    const id = unique("pub").replace("-", "_");
    const dest = `kytos.${id}`;
    const prefix = `kytos/${id}.`;
    await transport.ensureDestinations([{ name: dest, eventPrefixes: [prefix] }]);
    const record = (
      event: string,
      key: string,
      value: string,
      headers: Record<string, string> = {},
    ): OutboundRecord => ({
      destination: dest,
      key,
      value: encoder.encode(value),
      headers: {
        [Header.EventType]: `${prefix}${event}`,
        [Header.ContentType]: "application/x-protobuf",
        ...headers,
      },
    });
    return { dest, prefix, record };
  }

  async function subscribe(dest: string, group = unique("g"), on = transport) {
    const c = new Collector(await on.subscribe({ group, destinations: [dest], maxInFlight: 1000 }));
    open.push(c);
    return { c, queue: `${group}.${dest}` };
  }

  it("resolves a send only once the broker holds every record of it", async () => {
    const { dest, record } = await napp();
    const { c, queue } = await subscribe(dest);
    await c.close(); // the group's queue stays and fills while nobody reads it
    const n = 500;
    await transport.send(Array.from({ length: n }, (_, i) => record("tick", `k${i % 7}`, `v${i}`)));
    // No waiting: confirmed means enqueued.
    expect(await broker.messageCount(queue)).toBe(n);
  });

  it("publishes persistent messages with the event's routing key, content type, key and headers", async () => {
    const { dest, record } = await napp();
    const { c } = await subscribe(dest);
    const sent = record("link_down", "link-42", "payload", { [Header.EventId]: "0190-abc", "x-app": "sdx" });
    await transport.send([sent]);
    await c.count(1, 10_000);
    const got = c.records[0] as AmqpRecord;
    const { fields, properties } = got.message;
    expect(fields.routingKey).toBe(`kytos.${dest.slice("kytos.".length)}.link_down`);
    expect(properties.deliveryMode).toBe(2);
    expect(properties.contentType).toBe("application/x-protobuf");
    expect(got.key).toBe("link-42");
    expect(got.headers[Header.EventType]).toBe(sent.headers[Header.EventType]);
    expect(got.headers[Header.EventId]).toBe("0190-abc");
    expect(got.headers["x-app"]).toBe("sdx");
    expect(Math.abs(got.timestamp - Date.now())).toBeLessThan(60_000);
    await got.ack();
  });

  it("publishes each event once and lets the bindings copy it to the NApp queue and the verbose queue", async () => {
    const { dest, record } = await napp();
    const other = await napp();
    const verbose = unique("verbose");
    await transport.ensureDestinations([{ name: verbose, eventPrefixes: [""] }]);
    const nappReader = await subscribe(dest);
    const verboseReader = await subscribe(verbose);
    const otherReader = await subscribe(other.dest);
    await transport.send([record("created", "evc-1", "one"), other.record("created", "evc-2", "two")]);
    await nappReader.c.count(1, 10_000);
    await otherReader.c.count(1, 10_000);
    await verboseReader.c.until(
      (rs) => rs.some((r) => text(r) === "one") && rs.some((r) => text(r) === "two"),
      10_000,
      "both events on the verbose queue",
    );
    expect(nappReader.c.records.map(text)).toEqual(["one"]);
    expect(otherReader.c.records.map(text)).toEqual(["two"]);
    for (const r of [...nappReader.c.records, ...verboseReader.c.records, ...otherReader.c.records])
      await r.ack();
  });

  it("reports a record no queue is bound for as a non-retriable failure of that record only", async () => {
    // An exchange of its own: on a shared one, any verbose queue ("#") makes everything routable.
    const exchange = unique("kytos.test");
    const own = createAmqpTransport({ url: amqpUrl(), exchange, queueExpiresMs: TEST_QUEUE_EXPIRES_MS });
    try {
      const dest = unique("bound");
      await own.ensureDestinations([{ name: dest, eventPrefixes: ["kytos/bound."] }]);
      const { c } = await subscribe(dest, unique("g"), own);
      const event = (type: string, value: string): OutboundRecord => ({
        destination: dest,
        key: "k",
        value: encoder.encode(value),
        headers: { [Header.EventType]: type },
      });
      const error = await own
        .send([
          event("kytos/bound.a", "first"),
          event("kytos/unbound.a", "stray"),
          event("kytos/bound.a", "third"),
        ])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SendError);
      const failures = (error as SendError).failures;
      expect(failures.map((f) => f.index)).toEqual([1]);
      expect(failures[0]!.retriable).toBe(false);
      expect((failures[0]!.error as { code?: string }).code).toBe(ErrorCode.SendRejected);
      expect(failures[0]!.error.message).toContain("kytos.unbound.a");
      await c.count(2, 10_000);
      expect(c.records.map(text)).toEqual(["first", "third"]);
      for (const r of c.records) await r.ack();
      await c.close();
    } finally {
      await own.close();
      await broker.deleteExchanges([exchange, `${exchange}.direct`]);
    }
  });

  it("completes a burst far beyond the unconfirmed window and the socket buffer, every record stored once and in order", async () => {
    const { dest, record } = await napp();
    const { c, queue } = await subscribe(dest);
    await c.close();
    // 64 unconfirmed at most (see beforeAll) and 64 KiB values: publishing outruns the socket,
    // so the publisher must wait for "drain" and for confirms, many times over.
    const big = "x".repeat(64 * 1024);
    const sends = Array.from({ length: 8 }, (_, s) =>
      transport.send(Array.from({ length: 40 }, (_, i) => record("bulk", "one-key", `${s}:${i}:${big}`))),
    );
    await Promise.all(sends);
    expect(await broker.messageCount(queue)).toBe(320);
    const reader = await subscribe(dest, queue.slice(0, queue.length - dest.length - 1));
    await reader.c.count(320, 30_000);
    const order = reader.c.records.map((r) => text(r).split(":").slice(0, 2).join(":"));
    for (let s = 0; s < 8; s++) {
      const mine = order.filter((o) => o.startsWith(`${s}:`));
      expect(mine).toEqual(Array.from({ length: 40 }, (_, i) => `${s}:${i}`));
    }
    for (const r of reader.c.records) await r.ack();
  });

  it("rejects a send at once when aborted before it starts, without publishing", async () => {
    const { dest, record } = await napp();
    const { c, queue } = await subscribe(dest);
    await c.close();
    const abort = new AbortController();
    abort.abort(new Error("shutting down"));
    const error = await transport
      .send([record("a", "k", "never")], { signal: abort.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    expect((error as SendError).failures[0]!.retriable).toBe(true);
    expect(await broker.messageCount(queue)).toBe(0);
  });
  it("on an abort mid-send, every record is either confirmed or reported retriable, none both, and the stored ones are the confirmed", async () => {
    const { dest, record } = await napp();
    const { c, queue } = await subscribe(dest);
    await c.close();
    const abort = new AbortController();
    const records = Array.from({ length: 2000 }, (_, i) => record("bulk", "k", `${i}`));
    const sending = transport.send(records, { signal: abort.signal }).catch((e: unknown) => e);
    // Abort once the broker holds some of them, so the send is caught part-way.
    while (((await broker.messageCount(queue)) ?? 0) < 100) await new Promise((r) => setTimeout(r, 2));
    abort.abort(new Error("shutting down"));
    const error = await sending;
    const failed = error instanceof SendError ? error.failures : [];
    // 2000 records through a 64-message confirm window take many round trips: the abort lands part-way.
    expect(error).toBeInstanceOf(SendError);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(records.length);
    expect(failed.every((f) => f.retriable && (f.error as KytosEventsError).code === ErrorCode.Closed)).toBe(
      true,
    );
    expect(new Set(failed.map((f) => f.index)).size).toBe(failed.length);
    // Records whose fate is unknown may or may not be stored; all the others are.
    const unknown = failed.filter((f) => /may or may not/.test(f.error.message)).length;
    const stored = await broker.messageCount(queue);
    expect(stored).toBeGreaterThanOrEqual(records.length - failed.length);
    expect(stored).toBeLessThanOrEqual(records.length - failed.length + unknown);
  });
});
