// The producer's extension point for tracing and other per-event concerns: `onPublish` is called
// synchronously inside `publish`, once for each lane that takes the event, so it sees the
// caller's async context (an OpenTelemetry adapter starts its publish span there). It may add
// record headers for that lane — trace context — and ask to hear that lane's outcome. Unset, it
// costs nothing; a hook that throws is logged and the event goes out without its headers.
import type { Logger, Pipeline, Transport } from "@kytos-events/core";
import type { PublishedEvent } from "./published-event.js";
import type { LaneDelivery } from "./receipt.js";

/** One event on one lane, as an `onPublish` hook sees it. */
export interface PublishHookEvent {
  /** The envelope id (UUIDv7). */
  readonly id: string;
  /** The controller's event name. */
  readonly type: string;
  /** The record key ("" when the event has none). */
  readonly key: string;
  readonly sequence: bigint;
  /** The lane's name. */
  readonly lane: string;
  /** The lane's transport kind: "kafka", "amqp", "memory". */
  readonly transport: string;
  /** The destinations this lane sends the event to (one for transports whose broker fans out). */
  readonly destinations: readonly string[];
}

/** What a hook asks for; both parts optional. */
export interface PublishHookResult {
  /** Headers added to the event's records on this lane; the SDK's own headers win a clash. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called once with this lane's outcome (delivered, spooled, dropped, failed); must not throw. */
  readonly settled?: (delivery: LaneDelivery) => void;
}

export type PublishHook = (event: PublishHookEvent) => PublishHookResult | undefined;

interface HookedLane {
  readonly name: string;
  readonly transport: Transport;
}

/**
 * The event as `lane` will send it: a copy carrying the hook's headers (the bytes and the
 * receipt are shared), or the event itself when the hook adds none or throws.
 */
export function applyPublishHook(
  hook: PublishHook,
  event: PublishedEvent,
  lane: HookedLane,
  pipeline: Pipeline,
  logger: Logger,
): PublishedEvent {
  let result: PublishHookResult | undefined;
  try {
    result = hook({
      id: event.id,
      type: event.type,
      key: event.key,
      sequence: event.sequence,
      lane: lane.name,
      transport: lane.transport.kind,
      destinations: destinationsOf(event.type, lane, pipeline),
    });
  } catch (err) {
    logger.error("producer onPublish hook threw; the event is sent without its headers", {
      lane: lane.name,
      event: event.type,
      error: String(err),
    });
    return event;
  }
  const settled = result?.settled;
  if (settled) event.receipt?.watch(lane.name, guarded(settled, lane.name, logger));
  const headers = result?.headers;
  if (!headers) return event;
  return { ...event, headers: { ...headers, ...event.headers } };
}

function destinationsOf(type: string, lane: HookedLane, pipeline: Pipeline): readonly string[] {
  try {
    return pipeline.router.route(type, lane.transport.capabilities.fanout);
  } catch {
    // Unroutable: the pump fails the event and reports it; the hook just sees no destination.
    return [];
  }
}

function guarded(settled: (delivery: LaneDelivery) => void, lane: string, logger: Logger) {
  return (delivery: LaneDelivery) => {
    try {
      settled(delivery);
    } catch (err) {
      logger.error("producer onPublish settled callback threw; ignored", { lane, error: String(err) });
    }
  };
}
