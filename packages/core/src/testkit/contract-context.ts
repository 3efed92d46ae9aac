// What each contract test stands on: the transport under test, fresh uniquely named
// destinations (so the kit can share a real broker with other tests and with earlier runs),
// records shaped for either fanout style, and subscriptions that are closed when the test ends.
import { randomUUID } from "node:crypto";
import { Header } from "../transport/headers.js";
import type { OutboundRecord, SubscribeOptions, Transport } from "../transport/transport.js";
import { Collector } from "./collector.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A record's value as text (the kit's values are text unless a test says otherwise). */
export const text = (r: { readonly value: Uint8Array }): string => decoder.decode(r.value);

/** A short random suffix: unique names per test, readable in a broker's admin UI. */
export const unique = (): string => randomUUID().slice(0, 8);

export interface ContractDestination {
  readonly dest: string;
  readonly dlq: string;
  /** A record for `dest`; it carries an event type under the destination's prefix, as broker-fanout transports route by it. */
  record(key: string, value: string | Uint8Array, headers?: Record<string, string>): OutboundRecord;
}

export class ContractContext {
  private readonly open: Collector[] = [];

  constructor(
    readonly transport: Transport,
    private readonly partitions: number,
  ) {}

  /** A fresh destination and its dead-letter destination, ensured on the broker. */
  async destination(): Promise<ContractDestination> {
    const id = unique();
    const dest = `contract-${id}`;
    const prefix = `kytos/contract_${id}.`;
    const dlq = `${dest}.dlq`;
    await this.transport.ensureDestinations([
      { name: dest, partitions: this.partitions, eventPrefixes: [prefix] },
      { name: dlq, partitions: 1 },
    ]);
    return {
      dest,
      dlq,
      record: (key, value, headers = {}) => ({
        destination: dest,
        key,
        value: typeof value === "string" ? encoder.encode(value) : value,
        headers: { [Header.EventType]: `${prefix}event`, ...headers },
      }),
    };
  }

  /** A new group name. */
  group(): string {
    return `contract-${unique()}`;
  }

  /** Subscribes (a new group unless given, from the beginning) and collects in the background. */
  async subscribe(dest: string, extra: Partial<SubscribeOptions> = {}): Promise<Collector> {
    const subscription = await this.transport.subscribe({
      group: this.group(),
      destinations: [dest],
      fromBeginning: true,
      ...extra,
    });
    const collector = new Collector(subscription);
    this.open.push(collector);
    return collector;
  }

  /** Closes every subscription the test opened (closing twice is harmless). */
  async cleanUp(): Promise<void> {
    const open = this.open.splice(0);
    await Promise.allSettled(open.map((c) => c.close()));
  }
}
