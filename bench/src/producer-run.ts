// The producer SDK's two contenders in the Kafka and RabbitMQ parts, timed the same way:
// "pre-built envelopes" hands the producer the very records the raw clients send
// (publishEncoded: same bytes, keys and headers), "maps + encodes" gives it the controller's
// JSON for every event. Either way the producer is connected, its destinations created and
// one event sent before the clock starts, as the raw clients are connected first; the clock
// stops when every event is delivered (checked).
import type { EncodedEvent, Producer } from "@kytos-events/producer";
import { type CpuThroughputResult, timedCpu } from "./cpu-timed.js";
import { EVENT, linkDownContent, prebuiltRecords } from "./workload.js";

export const PREBUILT = "producer SDK (pre-built envelopes)";
export const MAPS_AND_ENCODES = "producer SDK (maps + encodes each event)";

/**
 * The raw clients' records as the producer takes them: the same value, key and headers, the
 * value as a Buffer made before the clock starts, as the raw clients get theirs.
 */
export function prebuiltEvents(count: number): EncodedEvent[] {
  return prebuiltRecords("", count).map(({ key, value, headers }) => ({
    key,
    value: Buffer.from(value.buffer, value.byteOffset, value.byteLength),
    headers,
  }));
}

/** `work`: the events to publish pre-built, or how many to publish from the controller's JSON. */
export function eventCount(work: number | readonly EncodedEvent[]): number {
  return typeof work === "number" ? work : work.length;
}

export async function timedPublish(
  producer: Producer,
  work: number | readonly EncodedEvent[],
  contender: string,
): Promise<CpuThroughputResult> {
  const events = eventCount(work);
  const content = linkDownContent();
  await producer.ready({ timeoutMs: 60_000 });
  const warmUp = producer.publishKytos(EVENT, content);
  if (!(await warmUp.durable).ok) throw new Error(`${contender}: the warm-up event was not delivered`);
  const result = await timedCpu(contender, events, async () => {
    if (typeof work === "number") for (let i = 0; i < events; i++) producer.publishKytos(EVENT, content);
    else for (let i = 0; i < events; i++) producer.publishEncoded(work[i]!);
    if (!(await producer.flush({ timeoutMs: 300_000 }))) throw new Error(`${contender}: flush timed out`);
  });
  const lane = producer.stats().lanes[0];
  if (lane?.delivered !== events + 1) {
    throw new Error(`${contender}: delivered ${lane?.delivered} of ${events + 1}`);
  }
  return result;
}
