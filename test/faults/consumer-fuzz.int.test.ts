// A consumer on the memory transport fed fuzzed records among valid ones: every bad record is
// dead-lettered with its reason and every valid event is still handled (nothing lost).
import { createConsumer } from "@kytos-events/consumer";
import {
  createEnvelope,
  createMemoryBroker,
  createMemoryTransport,
  decodeEnvelope,
  encodeEnvelope,
  Header,
  Router,
} from "@kytos-events/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const SEED = 20261123;
const VALID = 200;
const DESTINATION = "kytos.events";

function linkDown(sequence: number) {
  return createEnvelope({
    type: "kytos/topology.link_down",
    payload: { link: { id: `link-${sequence % 5}` } } as never,
    source: "kytos-faults",
    sequence: BigInt(sequence),
  });
}

/** Seeded bad records: random bytes or a damaged valid envelope, kept only if decoding fails. */
function badRecords(count: number): { value: Uint8Array; headers: Record<string, string> }[] {
  const base = encodeEnvelope(linkDown(1), "binary");
  const candidates = fc.sample(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 128 }).map((value) => ({ value, headers: {} })),
      fc
        .nat({ max: base.value.length - 1 })
        .map((cut) => ({ value: base.value.slice(0, cut), headers: base.headers })),
      fc.constant({ value: base.value, headers: { ...base.headers, [Header.ContentType]: "text/plain" } }),
    ),
    { seed: SEED, numRuns: count * 4 },
  );
  return candidates
    .filter((r) => {
      const result = decodeEnvelope(r.value, r.headers);
      return !result.ok && (result.reason === "malformed" || result.reason === "unsupported-content-type");
    })
    .slice(0, count);
}

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("consumer fed fuzzed records (memory transport)", () => {
  it("dead-letters each bad record with its reason and handles every valid event", async () => {
    const broker = createMemoryBroker();
    const producer = createMemoryTransport({ broker });
    const router = new Router({ partitions: 1, statusPartitions: 1 });
    await producer.ensureDestinations(router.destinationSpecs());
    const bad = badRecords(100);
    expect(bad.length).toBe(100);

    // Interleave: two valid events, then one bad record, so bad input sits between good ones.
    const records = [];
    let b = 0;
    for (let i = 1; i <= VALID; i++) {
      const { value, headers } = encodeEnvelope(linkDown(i), "binary");
      records.push({ destination: DESTINATION, key: `link-${i % 5}`, value, headers });
      if (i % 2 === 0 && b < bad.length) records.push({ destination: DESTINATION, key: "bad", ...bad[b++]! });
    }
    await producer.send(records);

    const seen = new Set<string>();
    const consumer = createConsumer({
      transport: createMemoryTransport({ broker }),
      group: "faults",
      from: "beginning",
    });
    consumer.on("*", (event) => {
      seen.add(event.envelope.sequence.toString());
    });
    await consumer.start();
    try {
      await until(
        () => consumer.stats().handled === VALID && consumer.stats().deadLettered === b,
        5000,
        "all settled",
      );
      expect(seen.size).toBe(VALID);
      const reasons = broker
        .records(`${DESTINATION}.dlq`)
        .map((r) => r.headers[Header.DeadLetterReason] ?? "");
      expect(reasons).toHaveLength(b);
      for (const reason of reasons) expect(reason).toMatch(/^(malformed|unsupported-content-type): \S/);
    } finally {
      await consumer.stop({ timeoutMs: 1000 });
    }
  });
});
