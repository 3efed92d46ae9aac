// Helpers for this package's tests: memory lanes, decoding what a broker holds, and waiting for
// a condition with a deadline (never a bare sleep).
import {
  createMemoryBroker,
  createMemoryTransport,
  decodeEnvelope,
  type MemoryBroker,
  type MemoryTransport,
  type Subscription,
} from "@kytos-events/core";
import type { Envelope } from "@kytos-events/schema";
import type { LaneConfig } from "./config.js";

/** One partition everywhere, so a destination's records are in send order. */
export const singlePartition = { partitions: 1, statusPartitions: 1 } as const;

export interface MemoryLane {
  readonly broker: MemoryBroker;
  readonly transport: MemoryTransport;
  readonly lane: LaneConfig;
}

export function memoryLane(
  name: string,
  extra: Partial<LaneConfig> = {},
  broker = createMemoryBroker(),
): MemoryLane {
  const transport = createMemoryTransport({ broker });
  return { broker, transport, lane: { name, transport, routing: singlePartition, ...extra } };
}

/** Decodes every record of a destination (failing loudly on a bad one). */
export function envelopes(broker: MemoryBroker, destination: string): Envelope[] {
  return broker.records(destination).map((record) => {
    const result = decodeEnvelope(record.value, record.headers);
    if (!result.ok) throw result.error;
    return result.envelope;
  });
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Reads a subscription in the background, acking and decoding each record, so integration
 * tests can wait for "n events" with a deadline.
 */
export class EnvelopeReader {
  readonly envelopes: Envelope[] = [];
  private failure: unknown;
  private readonly done: Promise<void>;

  constructor(private readonly subscription: Subscription) {
    this.done = (async () => {
      try {
        for await (const record of subscription) {
          const result = decodeEnvelope(record.value, record.headers);
          if (!result.ok) throw result.error;
          this.envelopes.push(result.envelope);
          await record.ack();
        }
      } catch (err) {
        this.failure = err;
      }
    })();
  }

  /** Resolves once `n` distinct event ids were read. */
  async distinct(n: number, timeoutMs: number): Promise<void> {
    await waitFor(
      () => {
        if (this.failure) throw this.failure;
        return new Set(this.envelopes.map((e) => e.id)).size >= n;
      },
      timeoutMs,
      `${n} distinct events (have ${new Set(this.envelopes.map((e) => e.id)).size})`,
    );
  }

  /** Each event once, in first-arrival order (redeliveries of at-least-once removed). */
  firstArrivals(): Envelope[] {
    const seen = new Set<string>();
    return this.envelopes.filter((e) => !seen.has(e.id) && seen.add(e.id));
  }

  async close(): Promise<void> {
    await this.subscription.close();
    await this.done;
  }
}
