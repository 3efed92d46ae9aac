// Builds the envelope every message on the wire carries: id, type, source, sequence,
// occurred_at, key (from the schema's key template) and schema version around a typed payload.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Envelope,
  EnvelopeSchema,
  type EventName,
  type EventPayload,
  getEventDescriptor,
  SCHEMA_VERSION,
} from "@kytos-events/schema";
import { uuidv7 } from "./uuid-v7.js";

export interface EnvelopeInput<N extends EventName> {
  /** The controller's event name, e.g. "kytos/topology.link_down". */
  readonly type: N;
  readonly payload: EventPayload<N>;
  /** The controller instance that raised the event. */
  readonly source: string;
  readonly sequence: bigint;
  /** Milliseconds since the epoch. Default: now. */
  readonly occurredAt?: number;
  /** Default: a new UUIDv7. */
  readonly id?: string;
}

/** Throws KE_UNKNOWN_EVENT_NAME for a name the schema does not know. */
export function createEnvelope<N extends EventName>(input: EnvelopeInput<N>): Envelope {
  const descriptor = getEventDescriptor(input.type as EventName);
  const now = input.occurredAt ?? Date.now();
  return create(EnvelopeSchema, {
    id: input.id ?? uuidv7(now),
    type: input.type,
    source: input.source,
    sequence: input.sequence,
    occurredAt: timestampFromMs(now),
    key: descriptor.key(input.payload as never),
    schemaVersion: SCHEMA_VERSION,
    payload: { case: descriptor.payloadCase, value: input.payload } as Envelope["payload"],
  });
}
