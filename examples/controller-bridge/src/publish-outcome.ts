// What became of one controller event handed to the producer, told without waiting for the
// broker: published (with its envelope id and sequence), filtered out by the configured
// filter, or refused as bad input (unknown event name, content that does not map) with the
// producer's error code and reason. Both ingest modes answer from it.
//
// The filter is applied here before the producer sees the event: the producer maps the
// content before its lane filter, so a denied event would still cost a mapping (the deny list
// exists for high-volume events) and be refused, not filtered, when its content does not map.
import type { EventFilter } from "@kytos-events/core";
import type { Producer } from "@kytos-events/producer";

export type PublishOutcome =
  | {
      readonly status: "published";
      readonly id: string;
      readonly sequence: string;
      readonly durable: Promise<DurableOutcome>;
    }
  | { readonly status: "filtered" }
  | { readonly status: "refused"; readonly code: string; readonly reason: string };

/** How the broker side ended: delivered, or why not (dropped from a full buffer, refused by the broker). */
export type DurableOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly dropped: boolean; readonly reason: string };

export type Publish = (name: string, content: unknown) => Promise<PublishOutcome>;

export async function publishControllerEvent(
  producer: Producer,
  filter: EventFilter,
  name: string,
  content: unknown,
): Promise<PublishOutcome> {
  if (!filter.accepts(name)) return FILTERED;
  const receipt = producer.publishKytos(name, content);
  if (receipt.accepted) {
    const durable = receipt.durable.then((report): DurableOutcome => {
      if (report.ok) return { ok: true };
      const lane = report.lanes.find((l) => l.status === "dropped" || l.status === "failed");
      return {
        ok: false,
        dropped: lane?.status === "dropped",
        reason:
          lane?.error?.message ??
          `${lane?.status ?? "not delivered"}${lane?.reason ? ` (${lane.reason})` : ""}`,
      };
    });
    return { status: "published", id: receipt.id, sequence: receipt.sequence.toString(), durable };
  }
  // Not taken: its report is ready at once and says whether it was refused or filtered.
  const report = await receipt.durable;
  if (report.error) return { status: "refused", code: report.error.code, reason: report.error.message };
  return FILTERED;
}

const FILTERED: PublishOutcome = { status: "filtered" };
