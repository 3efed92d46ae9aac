// The events every producer benchmark sends: link_down envelopes built and encoded once up
// front, so each contender sends the same bytes with the same keys and headers.
import { createEnvelope, encodeEnvelope, type OutboundRecord } from "@kytos-events/core";
import { fromKytosJson } from "@kytos-events/schema";
import { kytosEventFixtures } from "@kytos-events/schema/fixtures";

export const EVENT = "kytos/topology.link_down";

export function linkDownContent(): Record<string, unknown> {
  const fixture = kytosEventFixtures.find((f) => f.name === EVENT);
  if (fixture === undefined) throw new Error(`no fixture for ${EVENT}`);
  return fixture.content;
}

/** `count` records for `destination`, distinct ids and sequences, one key per link (as in production). */
export function prebuiltRecords(destination: string, count: number): OutboundRecord[] {
  const payload = fromKytosJson(EVENT, linkDownContent());
  const records: OutboundRecord[] = [];
  for (let i = 0; i < count; i++) {
    const envelope = createEnvelope({ type: EVENT, payload, source: "bench", sequence: BigInt(i + 1) });
    const { value, headers } = encodeEnvelope(envelope);
    records.push({ destination, key: `${envelope.key}-${i % 64}`, value, headers });
  }
  return records;
}

export interface ThroughputResult {
  readonly contender: string;
  readonly events: number;
  readonly seconds: number;
  readonly perSecond: number;
}

export async function timed(
  contender: string,
  events: number,
  run: () => Promise<void>,
): Promise<ThroughputResult> {
  const start = performance.now();
  await run();
  const seconds = (performance.now() - start) / 1000;
  return { contender, events, seconds, perSecond: events / seconds };
}
