// @kytos-events/core as transport authors and SDK users see it: the Transport contract, its
// records and capabilities, decode results that narrow on `ok`, routing output that feeds
// ensureDestinations, and the error hierarchy with stable codes.
import {
  createMemoryTransport,
  type DecodeResult,
  type DestinationSpec,
  decodeEnvelope,
  ErrorCode,
  type InboundRecord,
  isKytosEventsError,
  KytosEventsError,
  type OutboundRecord,
  Router,
  type Subscription,
  type Transport,
  type TransportCapabilities,
} from "@kytos-events/core";
import type { Envelope } from "@kytos-events/schema";
import { assertType, type Equal } from "./expect-type.js";

// The memory transport is a Transport; the router's specs are what ensureDestinations takes.
const transport: Transport = createMemoryTransport();
const specs: DestinationSpec[] = new Router({ partitions: 6 }).destinationSpecs();
export const ready: Promise<void> = transport.ensureDestinations(specs);

// @ts-expect-error routing options are checked: partitions is a number
new Router({ partitions: "6" });

// Records: everything but the timestamp is required, and immutable.
export const record: OutboundRecord = {
  destination: "kytos.topology",
  key: "l1",
  value: new Uint8Array(),
  headers: {},
};
// @ts-expect-error a record needs a destination
export const noDestination: OutboundRecord = { key: "l1", value: new Uint8Array(), headers: {} };
// @ts-expect-error records are readonly
record.key = "l2";
export const sent: Promise<void> = transport.send([record], { signal: AbortSignal.timeout(1000) });

// Fan-out is one of two strategies.
export const caps: TransportCapabilities = {
  partitions: true,
  compaction: true,
  maxMessageBytes: 1,
  fanout: "broker",
};
// @ts-expect-error fanout is "client" or "broker"
export const badCaps: TransportCapabilities = { ...caps, fanout: "both" };

// A subscription is an async iterable of settleable records.
export async function drain(subscription: Subscription): Promise<number> {
  let n = 0;
  for await (const r of subscription) {
    assertType<Equal<typeof r, InboundRecord>>();
    await (n++ % 2 === 0 ? r.ack() : r.retry({ delayMs: 100 }));
  }
  return (await subscription.close()).unsettled;
}

// Decoding never throws; `ok` narrows to the envelope or to a reason.
export function describe(result: DecodeResult): string {
  if (result.ok) {
    assertType<Equal<typeof result.envelope, Envelope>>();
    return result.envelope.type;
  }
  assertType<
    Equal<typeof result.reason, "malformed" | "unsupported-content-type" | "unknown-event" | "schema-too-new">
  >();
  // @ts-expect-error a failure has no guaranteed envelope
  return result.envelope.type;
}
export const decoded: DecodeResult = decodeEnvelope(new Uint8Array(), {
  "content-type": "application/x-protobuf",
});

// Errors carry a stable code.
export function codeOf(err: unknown): ErrorCode | undefined {
  return isKytosEventsError(err) ? err.code : undefined;
}
export const refused = new KytosEventsError(ErrorCode.ConfigInvalid, "bad config");
// @ts-expect-error codes come from the ErrorCode set
export const badCode = new KytosEventsError("KE_WHATEVER", "bad config");
