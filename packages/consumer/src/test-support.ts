// Test helpers (not part of the package API): build controller events as envelopes, publish
// them the way a producer routes them, and wait for conditions with a deadline.
import { create } from "@bufbuild/protobuf";
import {
  createEnvelope,
  encodeEnvelope,
  type OutboundRecord,
  Router,
  type Transport,
} from "@kytos-events/core";
import {
  type Envelope,
  type EventName,
  TopologyLinkDownSchema,
  TopologyLinkUpSchema,
  TopologySwitchEnabledSchema,
} from "@kytos-events/schema";

/** Routing as a producer would do it, with `partitions` per destination. */
export function routerWith(partitions: number): Router {
  return new Router({ partitions, statusPartitions: partitions });
}

const defaultRouter = routerWith(3);

export interface LinkEventOptions {
  readonly source?: string;
  readonly sequence: bigint;
  readonly occurredAt?: number;
}

/** A link_up / link_down event for `linkId`. */
export function linkEvent(up: boolean, linkId: string, options: LinkEventOptions): Envelope {
  const common = { source: options.source ?? "kytos-test", sequence: options.sequence } as const;
  const at = options.occurredAt !== undefined ? { occurredAt: options.occurredAt } : {};
  return up
    ? createEnvelope({
        type: "kytos/topology.link_up",
        payload: create(TopologyLinkUpSchema, { link: { id: linkId } }),
        ...common,
        ...at,
      })
    : createEnvelope({
        type: "kytos/topology.link_down",
        payload: create(TopologyLinkDownSchema, { link: { id: linkId }, reason: "test" }),
        ...common,
        ...at,
      });
}

export function switchEnabled(dpid: string, sequence: bigint, source = "kytos-test"): Envelope {
  return createEnvelope({
    type: "kytos/topology.switch.enabled",
    payload: create(TopologySwitchEnabledSchema, { dpid }),
    source,
    sequence,
  });
}

/** The records a producer sends for these envelopes on `transport` (its fanout, our router). */
export function recordsFor(
  transport: Transport,
  envelopes: readonly Envelope[],
  router: Router = defaultRouter,
): OutboundRecord[] {
  const out: OutboundRecord[] = [];
  for (const envelope of envelopes) {
    const { value, headers } = encodeEnvelope(envelope);
    for (const destination of router.route(envelope.type as EventName, transport.capabilities.fanout)) {
      out.push({ destination, key: envelope.key, value, headers });
    }
  }
  return out;
}

/** Sends in batches of `batch` records. */
export async function publish(
  transport: Transport,
  envelopes: readonly Envelope[],
  router: Router = defaultRouter,
  batch = 500,
): Promise<void> {
  const records = recordsFor(transport, envelopes, router);
  for (let i = 0; i < records.length; i += batch) await transport.send(records.slice(i, i + batch));
}

/** Resolves once `predicate()` holds; rejects at the deadline naming what it waited for. */
export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A seeded random source, so a failing run can be repeated. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}
