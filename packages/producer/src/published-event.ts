// One event as the producer holds it after publish: enveloped and encoded exactly once, so
// every lane and every destination sends the same bytes. Lanes wrap it in a LaneItem, which
// remembers the pipeline snapshot that admitted the event (it also routes it, so each event is
// decided by one configuration even across a reload).
import type { Pipeline } from "@kytos-events/core";
import type { Receipt } from "./receipt.js";

export interface PublishedEvent {
  readonly id: string;
  readonly sequence: bigint;
  /** The controller's event name. */
  readonly type: string;
  readonly key: string;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** Approximate bytes held: value, key and headers; what outage buffers and spools count. */
  readonly size: number;
  /** performance.now() at publish, for the send latency metric. */
  readonly publishedAt: number;
  /** Undefined for events replayed from a spool: their receipts were settled when spooled. */
  readonly receipt: Receipt | undefined;
}

export interface LaneItem {
  readonly event: PublishedEvent;
  /** The snapshot that admitted the event; undefined after a spool (the lane's current one routes it). */
  readonly pipeline: Pipeline | undefined;
  /** After a partial failure: only the destinations still to send to. */
  readonly destinations?: readonly string[];
}

// Record headers cost a few bytes each on every broker; a flat estimate keeps sizing cheap.
const HEADER_OVERHEAD = 160;

export function eventSize(value: Uint8Array, key: string, type: string): number {
  return value.byteLength + key.length + type.length + HEADER_OVERHEAD;
}
