// The contract test kit: the promises of core's Transport interface as tests, registered with
// vitest by `describeTransportContract`. Every transport (memory, Kafka, RabbitMQ) runs the same
// kit against its real broker. Each test uses fresh destination and group names so the kit
// can share a broker with other tests, and waits on conditions with deadlines, never sleeps.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Header } from "../transport/headers.js";
import { SendError } from "../transport/send-error.js";
import type {
  InboundRecord,
  OutboundRecord,
  SubscribeOptions,
  Subscription,
  Transport,
} from "../transport/transport.js";
import { Collector } from "./collector.js";

export interface TransportContractOptions {
  /** A new, not yet connected transport. The kit connects and closes it. */
  create(): Transport | Promise<Transport>;
  /**
   * Ends a subscription the way a crashed process would (no clean close). Omit when the
   * transport cannot simulate that in-process; the kit then says so in the suite name.
   */
  crash?(subscription: Subscription, transport: Transport): Promise<void>;
  /** Partitions for destinations the kit creates. Default 3. */
  readonly partitions?: number;
  /** Deadline for each wait. Default 30 s. */
  readonly timeoutMs?: number;
  /** How long "nothing more is delivered" is observed in the backpressure test. Default 500 ms. */
  readonly quietMs?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (r: InboundRecord) => decoder.decode(r.value);

export function describeTransportContract(name: string, options: TransportContractOptions): void {
  const timeout = options.timeoutMs ?? 30_000;
  const partitions = options.partitions ?? 3;
  const notApplicable = options.crash ? "" : " (crash redelivery: not simulated by this transport)";

  describe(`transport contract: ${name}${notApplicable}`, () => {
    let transport: Transport;
    const open: Collector[] = [];

    beforeAll(async () => {
      transport = await options.create();
      await transport.connect();
    }, timeout);

    afterAll(async () => {
      await Promise.allSettled(open.map((c) => c.close()));
      await transport?.close();
    }, timeout);

    /** A fresh destination (with its event prefix, for broker-fanout transports). */
    async function destination(extra: { compacted?: boolean } = {}) {
      const id = randomUUID().slice(0, 8);
      const dest = `contract-${id}`;
      const prefix = `kytos/contract_${id}.`;
      const dlq = `${dest}.dlq`;
      await transport.ensureDestinations([
        { name: dest, partitions, eventPrefixes: [prefix], ...extra },
        { name: dlq, partitions: 1 },
      ]);
      const record = (
        key: string,
        value: string | Uint8Array,
        headers: Record<string, string> = {},
      ): OutboundRecord => ({
        destination: dest,
        key,
        value: typeof value === "string" ? encoder.encode(value) : value,
        headers: { [Header.EventType]: `${prefix}event`, ...headers },
      });
      return { dest, dlq, record };
    }

    async function subscribe(dest: string, extra: Partial<SubscribeOptions> = {}): Promise<Collector> {
      const sub = await transport.subscribe({
        group: `contract-${randomUUID().slice(0, 8)}`,
        destinations: [dest],
        fromBeginning: true,
        ...extra,
      });
      const collector = new Collector(sub);
      open.push(collector);
      return collector;
    }

    it("delivers records of one key in the order they were sent", async () => {
      const { dest, record } = await destination();
      const reader = await subscribe(dest, { maxInFlight: 1000 });
      const keys = Array.from({ length: 8 }, (_, i) => `key-${i}`);
      const sent: OutboundRecord[] = [];
      for (let batch = 0; batch < 5; batch++) {
        const records = Array.from({ length: 40 }, (_, i) => {
          const n = batch * 40 + i;
          return record(keys[n % keys.length]!, `${keys[n % keys.length]}:${n}`);
        });
        await transport.send(records);
        sent.push(...records);
      }
      await reader.count(sent.length, timeout);
      await Promise.all(reader.records.map((r) => r.ack()));
      for (const key of keys) {
        const got = reader.records.filter((r) => r.key === key).map(text);
        const want = sent.filter((r) => r.key === key).map((r) => decoder.decode(r.value));
        expect(got, `order of ${key}`).toEqual(want);
      }
    });

    it("redelivers to the group every record left unsettled when a subscriber closes, and the close reports them", async () => {
      const { dest, record } = await destination();
      const group = `contract-${randomUUID().slice(0, 8)}`;
      const first = await subscribe(dest, { group });
      await transport.send(Array.from({ length: 10 }, (_, i) => record("k", `r${i}`)));
      await first.count(10, timeout);
      // Settle out of order with a gap at r3: the group's position must not pass it.
      const settled = ["r0", "r1", "r2", "r4", "r5"];
      await Promise.all(first.records.filter((r) => settled.includes(text(r))).map((r) => r.ack()));
      const report = await first.close();
      expect(report.unsettled).toBe(5);

      const second = await subscribe(dest, { group });
      const unsettled = ["r3", "r6", "r7", "r8", "r9"];
      await second.until(
        (rs) => unsettled.every((u) => rs.some((r) => text(r) === u)),
        timeout,
        "the unsettled records",
      );
      await Promise.all(second.records.map((r) => r.ack()));
    });

    if (options.crash) {
      const crash = options.crash;
      it("redelivers to the group every record left unsettled when a subscriber crashes", async () => {
        const { dest, record } = await destination();
        const group = `contract-${randomUUID().slice(0, 8)}`;
        const first = await subscribe(dest, { group });
        await transport.send(Array.from({ length: 6 }, (_, i) => record("k", `c${i}`)));
        await first.count(6, timeout);
        await Promise.all(first.records.slice(0, 2).map((r) => r.ack()));
        await crash(first.subscription, transport);
        const second = await subscribe(dest, { group });
        const left = ["c2", "c3", "c4", "c5"];
        await second.until(
          (rs) => left.every((u) => rs.some((r) => text(r) === u)),
          timeout,
          "the unsettled records",
        );
        await Promise.all(second.records.map((r) => r.ack()));
      });
    }

    it("does not redeliver acknowledged records to the group", async () => {
      const { dest, record } = await destination();
      const group = `contract-${randomUUID().slice(0, 8)}`;
      const first = await subscribe(dest, { group });
      await transport.send(Array.from({ length: 5 }, (_, i) => record(`k${i}`, `a${i}`)));
      await first.count(5, timeout);
      await Promise.all(first.records.map((r) => r.ack()));
      expect((await first.close()).unsettled).toBe(0);

      const second = await subscribe(dest, { group });
      await transport.send([record("k0", "marker")]);
      await second.count(1, timeout);
      expect(text(second.records[0]!)).toBe("marker");
      await second.records[0]!.ack();
    });

    it("delivers a retried record again after the delay, with a higher attempt", async () => {
      const { dest, record } = await destination();
      const reader = await subscribe(dest);
      await transport.send([record("k", "try-me", { "x-test": "kept" })]);
      await reader.count(1, timeout);
      const firstTry = reader.records[0]!;
      expect(firstTry.attempt).toBe(1);
      await firstTry.retry({ delayMs: 200, reason: "handler busy" });
      await reader.count(2, timeout);
      const again = reader.records[1]!;
      expect(text(again)).toBe("try-me");
      expect(again.key).toBe("k");
      expect(again.headers["x-test"]).toBe("kept");
      expect(again.attempt).toBeGreaterThan(1);
      await again.ack();
    });

    it("copies a dead-lettered record to the dead-letter destination with the reason, original headers and value", async () => {
      const { dest, dlq, record } = await destination();
      const dead = await subscribe(dlq);
      const reader = await subscribe(dest, { deadLetterDestination: dlq });
      await transport.send([record("poison-key", "poison", { "x-origin": "contract" })]);
      await reader.count(1, timeout);
      await reader.records[0]!.deadLetter("cannot parse payload");
      await dead.count(1, timeout);
      const copy = dead.records[0]!;
      expect(text(copy)).toBe("poison");
      expect(copy.headers["x-origin"]).toBe("contract");
      expect(copy.headers[Header.DeadLetterReason]).toBe("cannot parse payload");
      expect(copy.headers[Header.DeadLetterOrigin]).toContain(dest);
      await copy.ack();
    });

    it("round-trips every byte value, an empty value and unicode headers", async () => {
      const { dest, record } = await destination();
      const reader = await subscribe(dest);
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await transport.send([
        record("bin", all, { "x-unicode": "enlace caído ↯ 链路" }),
        record("bin", new Uint8Array(0)),
      ]);
      await reader.count(2, timeout);
      expect([...reader.records[0]!.value]).toEqual([...all]);
      expect(reader.records[0]!.headers["x-unicode"]).toBe("enlace caído ↯ 链路");
      expect(reader.records[1]!.value.byteLength).toBe(0);
      await Promise.all(reader.records.map((r) => r.ack()));
    });

    it("carries a large value close to the transport's limit", async () => {
      const { dest, record } = await destination();
      const reader = await subscribe(dest);
      const size = Math.min(900 * 1024, Math.floor(transport.capabilities.maxMessageBytes * 0.9));
      const big = Uint8Array.from({ length: size }, (_, i) => (i * 31) & 0xff);
      await transport.send([record("big", big)]);
      await reader.count(1, timeout);
      expect(reader.records[0]!.value.byteLength).toBe(size);
      expect(Buffer.from(reader.records[0]!.value).equals(Buffer.from(big))).toBe(true);
      await reader.records[0]!.ack();
    });

    it("rejects a value over the limit with a non-retriable SendError naming the record", async () => {
      const { dest, record } = await destination();
      const tooBig = new Uint8Array(transport.capabilities.maxMessageBytes + 4096);
      const error = await transport
        .send([record("ok", "fine"), record("huge", tooBig)])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SendError);
      const failures = (error as SendError).failures;
      expect(failures.map((f) => f.index)).toContain(1);
      expect(failures.find((f) => f.index === 1)?.retriable).toBe(false);
    });

    it("pauses delivery while maxInFlight records are unsettled and resumes when one settles", async () => {
      const { dest, record } = await destination();
      const reader = await subscribe(dest, { maxInFlight: 5 });
      await transport.send(Array.from({ length: 20 }, (_, i) => record(`k${i}`, `b${i}`)));
      await reader.count(5, timeout);
      const quiet = options.quietMs ?? 500;
      await new Promise((r) => setTimeout(r, quiet));
      expect(reader.records.length).toBe(5);
      await reader.records[0]!.ack();
      await reader.count(6, timeout);
      // Settling as records arrive lets the rest through, at most 5 unsettled at a time.
      const acked = new Set<InboundRecord>();
      await reader.until(
        (rs) => {
          for (const r of rs) if (!acked.has(r)) acked.add(r) && void r.ack();
          return rs.length >= 20;
        },
        timeout,
        "the remaining records as earlier ones settle",
      );
      await Promise.all(reader.records.map((r) => r.ack()));
    });

    it("shares a group's records among its members without losing any, and gives every group all records", async () => {
      const { dest, record } = await destination();
      const group = `contract-${randomUUID().slice(0, 8)}`;
      const a = await subscribe(dest, { group });
      const b = await subscribe(dest, { group });
      const other = await subscribe(dest);
      const n = 60;
      await transport.send(Array.from({ length: n }, (_, i) => record(`k${i % 12}`, `m${i}`)));
      const seen = () => new Set([...a.records, ...b.records].map(text));
      await a.until(() => seen().size === n, timeout, `all ${n} records across the group`);
      await other.count(n, timeout);
      expect(new Set(other.records.map(text)).size).toBe(n);
      await Promise.all([...a.records, ...b.records, ...other.records].map((r) => r.ack().catch(() => {})));
    });
  });
}
