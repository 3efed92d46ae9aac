// When Kafka refuses a produce request because of some of its records (one too large for the
// topic's max.message.bytes, a topic deleted since it was ensured), the whole request fails;
// calling every record of it non-retriable would make a producer drop good records. This
// re-sends the batch in parts — per topic, then record by record for size refusals — so each
// record gets its own verdict. Parts already written may be written again (a duplicate, which
// at-least-once allows); nothing is dropped that the broker would have taken.
import type { OutboundRecord } from "@kytos-events/core";
import { rootType } from "./map-error.js";

/** Refusals about a topic: every record for that topic gets the same verdict. */
const TOPIC_REFUSALS = new Set([
  "UNKNOWN_TOPIC_OR_PARTITION",
  "TOPIC_AUTHORIZATION_FAILED",
  "INVALID_TOPIC_EXCEPTION",
]);
/** Refusals about a record's bytes: found by sending records alone. */
const RECORD_REFUSALS = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "CORRUPT_MESSAGE",
]);

/** True when a failed request may have failed for some of its records only. */
export function isPartialRefusal(err: unknown): boolean {
  const type = rootType(err);
  return type !== undefined && (TOPIC_REFUSALS.has(type) || RECORD_REFUSALS.has(type));
}

/**
 * Sends `records` again in parts through `send` (in order) and returns each record's error,
 * undefined when accepted. An error that is not a partial refusal (the broker went away)
 * is thrown: the batch then fails as a whole, as if it had been sent at once.
 */
export async function isolateRefusals(
  records: readonly OutboundRecord[],
  send: (records: readonly OutboundRecord[]) => Promise<void>,
): Promise<unknown[]> {
  const errors: unknown[] = new Array(records.length).fill(undefined);
  const byTopic = new Map<string, number[]>();
  records.forEach((r, i) => {
    const indexes = byTopic.get(r.destination);
    if (indexes) indexes.push(i);
    else byTopic.set(r.destination, [i]);
  });
  for (const indexes of byTopic.values()) {
    const failure = await attempt(
      indexes.map((i) => records[i]!),
      send,
    );
    if (failure === undefined) continue;
    if (TOPIC_REFUSALS.has(rootType(failure)!) || indexes.length === 1) {
      for (const i of indexes) errors[i] = failure;
      continue;
    }
    for (const i of indexes) errors[i] = await attempt([records[i]!], send);
  }
  return errors;
}

async function attempt(
  records: readonly OutboundRecord[],
  send: (records: readonly OutboundRecord[]) => Promise<void>,
): Promise<unknown> {
  try {
    await send(records);
    return undefined;
  } catch (err) {
    if (!isPartialRefusal(err)) throw err;
    return err;
  }
}
