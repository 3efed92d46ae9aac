// The contract test kit: the promises of core's Transport interface as tests, registered with
// vitest by `describeTransportContract`. Every transport (memory, Kafka, RabbitMQ) runs the same
// kit against its real broker. Each test uses fresh destination and group names so the kit
// can share a broker with other tests, closes what it opened, and waits on conditions with
// deadlines; the one deliberate wait is the window in which "nothing more arrives" is observed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Header } from "../transport/headers.js";
import { SendError } from "../transport/send-error.js";
import type { InboundRecord, OutboundRecord, Subscription, Transport } from "../transport/transport.js";
import type { Collector } from "./collector.js";
import { ContractContext, text, unique } from "./contract-context.js";

export interface TransportContractOptions {
  /** A new, not yet connected transport. The kit connects and closes it. */
  create(): Transport | Promise<Transport>;
  /**
   * Ends a subscription the way a crashed process would (no clean close: no commit, no
   * goodbye to the group). Omit when the transport cannot simulate that in-process; the
   * crash test is then not registered and the suite name says so.
   */
  crash?(subscription: Subscription, transport: Transport): Promise<void>;
  /** Partitions for destinations the kit creates. Default 3. */
  readonly partitions?: number;
  /** Deadline for each wait. Default 30 s. */
  readonly timeoutMs?: number;
  /** How long "nothing more is delivered" is observed in the backpressure test. Default 500 ms. */
  readonly quietMs?: number;
}

const RETRY_DELAY_MS = 300;
// Timers may fire a few milliseconds early against Date.now(); anything earlier is a real miss.
const TIMER_SLACK_MS = 25;

const ackAll = (records: readonly InboundRecord[]) => Promise.all(records.map((r) => r.ack()));

/** Registers the contract suite for one transport. */
export function describeTransportContract(name: string, options: TransportContractOptions): void {
  const timeout = options.timeoutMs ?? 30_000;
  const quietMs = options.quietMs ?? 500;
  // Each test waits a few times; its own limit leaves the kit's deadlines room to speak first.
  const testTimeout = timeout * 4;
  const notApplicable = options.crash ? [] : ["redelivery after a crash: not simulated by this transport"];
  const suffix = notApplicable.length > 0 ? ` (not applicable: ${notApplicable.join("; ")})` : "";

  describe(`transport contract: ${name}${suffix}`, () => {
    let transport: Transport;
    let ctx: ContractContext;

    beforeAll(async () => {
      transport = await options.create();
      await transport.connect();
      ctx = new ContractContext(transport, options.partitions ?? 3);
    }, timeout);

    afterEach(() => ctx?.cleanUp(), timeout);

    afterAll(async () => {
      await transport?.close();
    }, timeout);

    it(
      "delivers records of one key in the order they were sent",
      async () => {
        const { dest, record } = await ctx.destination();
        const reader = await ctx.subscribe(dest, { maxInFlight: 1000 });
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
        await ackAll(reader.records);
        for (const key of keys) {
          const got = reader.records.filter((r) => r.key === key).map(text);
          const want = sent.filter((r) => r.key === key).map(text);
          expect(got, `order of ${key}`).toEqual(want);
        }
      },
      testTimeout,
    );

    it(
      "keeps every record a send accepted for a group that is away, and delivers them when it returns",
      async () => {
        const { dest, record } = await ctx.destination();
        const group = ctx.group();
        // The group exists (its queue, its membership) but nobody is reading when the send resolves.
        const away = await ctx.subscribe(dest, { group });
        expect((await away.close()).unsettled).toBe(0);
        const values = Array.from({ length: 30 }, (_, i) => `kept-${i}`);
        await transport.send(values.map((v, i) => record(`k${i % 5}`, v)));
        const back = await ctx.subscribe(dest, { group });
        await back.until(
          (rs) => values.every((v) => rs.some((r) => text(r) === v)),
          timeout,
          "every record sent while the group was away",
        );
        await ackAll(back.records);
      },
      testTimeout,
    );

    it(
      "redelivers to the group every record left unsettled when a subscriber closes, and the close reports them",
      async () => {
        const { dest, record } = await ctx.destination();
        const group = ctx.group();
        const first = await ctx.subscribe(dest, { group });
        await transport.send(Array.from({ length: 10 }, (_, i) => record("k", `r${i}`)));
        await first.count(10, timeout);
        // Settle out of order with a gap at r3: the group's position must not pass it.
        const settled = ["r0", "r1", "r2", "r4", "r5"];
        await ackAll(first.records.filter((r) => settled.includes(text(r))));
        expect((await first.close()).unsettled).toBe(5);

        const second = await ctx.subscribe(dest, { group });
        const unsettled = ["r3", "r6", "r7", "r8", "r9"];
        await second.until(
          (rs) => unsettled.every((u) => rs.some((r) => text(r) === u)),
          timeout,
          "the unsettled records",
        );
        await ackAll(second.records);
      },
      testTimeout,
    );

    if (options.crash) {
      const crash = options.crash;
      it(
        "redelivers to the group every record left unsettled when a subscriber crashes",
        async () => {
          const { dest, record } = await ctx.destination();
          const group = ctx.group();
          const first = await ctx.subscribe(dest, { group });
          await transport.send(Array.from({ length: 6 }, (_, i) => record("k", `c${i}`)));
          await first.count(6, timeout);
          await ackAll(first.records.slice(0, 2));
          await crash(first.subscription, transport);
          const second = await ctx.subscribe(dest, { group });
          const left = ["c2", "c3", "c4", "c5"];
          await second.until(
            (rs) => left.every((u) => rs.some((r) => text(r) === u)),
            timeout,
            "the unsettled records",
          );
          await ackAll(second.records);
        },
        testTimeout,
      );
    }

    it(
      "does not redeliver acknowledged records to the group",
      async () => {
        const { dest, record } = await ctx.destination();
        const group = ctx.group();
        const first = await ctx.subscribe(dest, { group });
        await transport.send(Array.from({ length: 5 }, (_, i) => record(`k${i}`, `a${i}`)));
        await first.count(5, timeout);
        await ackAll(first.records);
        expect((await first.close()).unsettled).toBe(0);

        const second = await ctx.subscribe(dest, { group });
        await transport.send([record("k0", "marker")]);
        await second.count(1, timeout);
        expect(text(second.records[0]!)).toBe("marker");
        await second.records[0]!.ack();
      },
      testTimeout,
    );

    it(
      "counts only a record's first settlement: later calls return the first call's promise",
      async () => {
        const { dest, record } = await ctx.destination();
        const reader = await ctx.subscribe(dest);
        await transport.send([record("k", "once")]);
        await reader.count(1, timeout);
        const r = reader.records[0]!;
        const first = r.ack();
        expect(r.retry({ delayMs: 0 })).toBe(first);
        expect(r.deadLetter("too late")).toBe(first);
        expect(r.ack()).toBe(first);
        await first;
        expect((await reader.close()).unsettled).toBe(0);
      },
      testTimeout,
    );

    it(
      "delivers a retried record again, not before the delay, with a higher attempt and the same key, headers and value",
      async () => {
        const { dest, record } = await ctx.destination();
        const reader = await ctx.subscribe(dest);
        await transport.send([record("k", "try-me", { "x-test": "kept" })]);
        await reader.count(1, timeout);
        const firstTry = reader.records[0]!;
        expect(firstTry.attempt).toBe(1);
        const retriedAt = Date.now();
        await firstTry.retry({ delayMs: RETRY_DELAY_MS, reason: "handler busy" });
        await reader.count(2, timeout);
        const again = reader.records[1]!;
        expect(reader.arrivals[1]! - retriedAt).toBeGreaterThanOrEqual(RETRY_DELAY_MS - TIMER_SLACK_MS);
        expect(text(again)).toBe("try-me");
        expect(again.key).toBe("k");
        expect(again.headers["x-test"]).toBe("kept");
        expect(again.attempt).toBeGreaterThan(1);
        await again.ack();
      },
      testTimeout,
    );

    it(
      "copies a dead-lettered record to the dead-letter destination with reason and origin, key, headers and value intact, and settles it",
      async () => {
        const { dest, dlq, record } = await ctx.destination();
        const dead = await ctx.subscribe(dlq);
        const reader = await ctx.subscribe(dest, { deadLetterDestination: dlq });
        const original = record("poison-key", "poison", { "x-origin": "contract" });
        await transport.send([original]);
        await reader.count(1, timeout);
        await reader.records[0]!.deadLetter("cannot parse payload");
        await dead.count(1, timeout);
        const copy = dead.records[0]!;
        expect(text(copy)).toBe("poison");
        expect(copy.key).toBe("poison-key");
        for (const [header, value] of Object.entries(original.headers)) {
          expect(copy.headers[header], header).toBe(value);
        }
        expect(copy.headers[Header.DeadLetterReason]).toBe("cannot parse payload");
        expect(copy.headers[Header.DeadLetterOrigin]).toContain(dest);
        await copy.ack();
        expect((await reader.close()).unsettled).toBe(0);
      },
      testTimeout,
    );

    it(
      "round-trips every byte value, an empty value, a unicode key and unicode headers",
      async () => {
        const { dest, record } = await ctx.destination();
        const reader = await ctx.subscribe(dest);
        const all = Uint8Array.from({ length: 256 }, (_, i) => i);
        await transport.send([
          record("enlace-caído-链路", all, { "x-unicode": "enlace caído ↯ 链路" }),
          record("enlace-caído-链路", new Uint8Array(0)),
        ]);
        await reader.count(2, timeout);
        expect([...reader.records[0]!.value]).toEqual([...all]);
        expect(reader.records[0]!.key).toBe("enlace-caído-链路");
        expect(reader.records[0]!.headers["x-unicode"]).toBe("enlace caído ↯ 链路");
        expect(reader.records[1]!.value.byteLength).toBe(0);
        await ackAll(reader.records);
      },
      testTimeout,
    );

    it(
      "carries a large value close to the transport's limit",
      async () => {
        const { dest, record } = await ctx.destination();
        const reader = await ctx.subscribe(dest);
        const size = Math.min(900 * 1024, Math.floor(transport.capabilities.maxMessageBytes * 0.9));
        const big = Uint8Array.from({ length: size }, (_, i) => (i * 31) & 0xff);
        await transport.send([record("big", big)]);
        await reader.count(1, timeout);
        expect(reader.records[0]!.value.byteLength).toBe(size);
        expect(Buffer.from(reader.records[0]!.value).equals(Buffer.from(big))).toBe(true);
        await reader.records[0]!.ack();
      },
      testTimeout,
    );

    /** Sends [good, bad]: only the bad one (index 1) fails, non-retriably; the good one arrives. */
    async function expectOnlySecondRefused(reader: Collector, good: OutboundRecord, bad: OutboundRecord) {
      const error = await transport.send([good, bad]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SendError);
      const failures = (error as SendError).failures;
      expect(failures.map((f) => f.index)).toEqual([1]);
      expect(failures[0]!.retriable).toBe(false);
      await reader.count(1, timeout);
      expect(text(reader.records[0]!)).toBe(text(good));
      await reader.records[0]!.ack();
    }

    it(
      "rejects a value over the limit with a non-retriable SendError naming the record",
      async () => {
        const { dest, record } = await ctx.destination();
        // A reading group, so the good record has somewhere to go on every kind of broker.
        const reader = await ctx.subscribe(dest);
        const tooBig = new Uint8Array(transport.capabilities.maxMessageBytes + 4096);
        await expectOnlySecondRefused(reader, record("ok", "fine"), record("huge", tooBig));
      },
      testTimeout,
    );

    it(
      "rejects a record for a destination never ensured with a non-retriable SendError naming the record",
      async () => {
        const { dest, record } = await ctx.destination();
        const reader = await ctx.subscribe(dest);
        const id = unique();
        const stray: OutboundRecord = {
          ...record("k", "nowhere"),
          destination: `contract-missing-${id}`,
          headers: { [Header.EventType]: `kytos/contract_missing_${id}.event` },
        };
        await expectOnlySecondRefused(reader, record("k", "fine"), stray);
      },
      testTimeout,
    );

    it(
      "pauses delivery while maxInFlight records are unsettled and resumes when one settles",
      async () => {
        const { dest, record } = await ctx.destination();
        const reader = await ctx.subscribe(dest, { maxInFlight: 5 });
        await transport.send(Array.from({ length: 20 }, (_, i) => record(`k${i}`, `b${i}`)));
        await reader.count(5, timeout);
        await new Promise((r) => setTimeout(r, quietMs));
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
        await ackAll(reader.records);
      },
      testTimeout,
    );

    it(
      "completes sends while a subscriber is stalled, and many concurrent sends lose no record",
      async () => {
        const { dest, record } = await ctx.destination();
        const reader = await ctx.subscribe(dest, { maxInFlight: 3 });
        await transport.send(Array.from({ length: 3 }, (_, i) => record(`s${i}`, `stall-${i}`)));
        await reader.count(3, timeout);
        // The backlog is the broker's to hold: a stalled consumer neither fails nor blocks a
        // producer, and sends beyond the transport's in-flight window wait their turn.
        const batches = 20;
        const perBatch = 25;
        await Promise.all(
          Array.from({ length: batches }, (_, b) =>
            transport.send(Array.from({ length: perBatch }, (_, i) => record(`k${i % 7}`, `c${b}-${i}`))),
          ),
        );
        const total = 3 + batches * perBatch;
        const acked = new Set<InboundRecord>();
        await reader.until(
          (rs) => {
            for (const r of rs) if (!acked.has(r)) acked.add(r) && void r.ack();
            return new Set(rs.map(text)).size >= total;
          },
          timeout,
          `all ${total} records`,
        );
        await ackAll(reader.records);
      },
      testTimeout,
    );

    it(
      "shares a group's records among its members without losing any, and gives every group all records",
      async () => {
        const { dest, record } = await ctx.destination();
        const group = ctx.group();
        const a = await ctx.subscribe(dest, { group });
        const b = await ctx.subscribe(dest, { group });
        const other = await ctx.subscribe(dest);
        const n = 60;
        await transport.send(Array.from({ length: n }, (_, i) => record(`k${i % 12}`, `m${i}`)));
        const seen = () => new Set([...a.records, ...b.records].map(text));
        await a.until(() => seen().size === n, timeout, `all ${n} records across the group`);
        await other.until(
          (rs) => new Set(rs.map(text)).size === n,
          timeout,
          `all ${n} records in the other group`,
        );
        // A rebalance may take a member's partitions while it holds records: those settle elsewhere.
        await Promise.all([...a.records, ...b.records, ...other.records].map((r) => r.ack().catch(() => {})));
      },
      testTimeout,
    );
  });
}
