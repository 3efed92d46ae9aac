// link_down events for many distinct links: the consumer serialises each key, so benchmarks
// of the consume path need as many keys as a real network has links (one key would measure a
// single link's queue, not the consumer).
import { createEnvelope, encodeEnvelope, type OutboundRecord } from "@kytos-events/core";
import { type EventPayload, fromKytosJson } from "@kytos-events/schema";
import { EVENT, linkDownContent } from "./workload.js";

/** One link_down payload per key, the fixture's link with its id suffixed by the key index. */
export function linkDownPayloads(keys: number): EventPayload<typeof EVENT>[] {
  const content = linkDownContent() as { link: { id: string } };
  const payloads: EventPayload<typeof EVENT>[] = [];
  for (let k = 0; k < keys; k++) {
    const link = { ...content.link, id: `${content.link.id}-${k}` };
    payloads.push(fromKytosJson(EVENT, { ...content, link }) as EventPayload<typeof EVENT>);
  }
  return payloads;
}

/** `count` encoded envelopes for `destination`, round-robin over `keys` links, record key = event key. */
export function keyedRecords(destination: string, count: number, keys: number): OutboundRecord[] {
  const payloads = linkDownPayloads(keys);
  const records: OutboundRecord[] = [];
  for (let i = 0; i < count; i++) {
    const payload = payloads[i % keys]!;
    const envelope = createEnvelope({ type: EVENT, payload, source: "bench", sequence: BigInt(i + 1) });
    const { value, headers } = encodeEnvelope(envelope);
    records.push({ destination, key: envelope.key, value, headers });
  }
  return records;
}
