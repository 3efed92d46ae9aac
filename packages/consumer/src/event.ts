// What a handler receives: the decoded event with its payload typed by name, and the delivery
// context (attempt, destination, position, a stop signal). Also the shapes of the hooks for
// events this build cannot handle and for dead letters.
import type { DecodeFailureReason, Logger, Position } from "@kytos-events/core";
import type { Envelope, EventName, EventPayload } from "@kytos-events/schema";

/** One controller event as a handler sees it; `payload` is narrowed by `name`. */
export interface KytosEvent<N extends EventName = EventName> {
  /** The controller's event name (for a family, the concrete name). */
  readonly name: N;
  readonly payload: EventPayload<N>;
  /** Unique per event (UUIDv7): the idempotency key. */
  readonly id: string;
  /** The controller instance that raised it. */
  readonly source: string;
  /** Consecutive per source (gap detection). */
  readonly sequence: bigint;
  /** Link id, dpid, interface id or EVC id; "" when the event has none. */
  readonly key: string;
  readonly occurredAt: Date | undefined;
  /** The whole envelope as decoded. */
  readonly envelope: Envelope;
}

/** A union of KytosEvent, one member per name, so `event.name` checks narrow `event.payload`. */
export type KytosEventOf<N extends EventName> = N extends EventName ? KytosEvent<N> : never;

export interface HandlerContext {
  /** 1 on the first run of the handlers for this event in this process, 2 after one failure, ... */
  readonly attempt: number;
  /** The destination (topic, queue) the record came from. */
  readonly destination: string;
  readonly position: Position;
  /** Aborted when `stop()`'s deadline passes while the handler still runs. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

export type EventHandler<N extends EventName> = (
  event: KytosEventOf<N>,
  context: HandlerContext,
) => void | Promise<void>;

/** An event this build cannot decode fully: a newer producer's event type or schema version. */
export interface UnknownEvent {
  readonly reason: Extract<DecodeFailureReason, "unknown-event" | "schema-too-new">;
  /** The event name from the envelope (or the headers). */
  readonly type: string | undefined;
  /** The envelope as far as it decoded (payload unset for "unknown-event"). */
  readonly envelope: Envelope | undefined;
  readonly error: Error;
}

export type UnknownEventHandler = (event: UnknownEvent, context: HandlerContext) => void | Promise<void>;

/** Why and what the consumer sent to the dead-letter destination. */
export interface DeadLetter {
  readonly reason: string;
  readonly destination: string;
  readonly position: Position;
  /** The event name, when the record was decodable enough to tell. */
  readonly type: string | undefined;
  /** The event id, when known. */
  readonly id: string | undefined;
  /** The handler error for handler failures; the decode error for undecodable records. */
  readonly error: Error;
}

export function toKytosEvent(envelope: Envelope): KytosEvent {
  const occurredAt = envelope.occurredAt;
  return {
    name: envelope.type as EventName,
    payload: envelope.payload.value as EventPayload<EventName>,
    id: envelope.id,
    source: envelope.source,
    sequence: envelope.sequence,
    key: envelope.key,
    occurredAt: occurredAt
      ? new Date(Number(occurredAt.seconds) * 1000 + Math.floor(occurredAt.nanos / 1e6))
      : undefined,
    envelope,
  };
}
