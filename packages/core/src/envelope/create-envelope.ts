// Builds the envelope every message on the wire carries: id, type, source, sequence,
// occurred_at, key (from the schema's key template) and schema version around a typed payload.
import { create, isMessage } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Envelope,
  EnvelopeSchema,
  ErrorCode,
  type EventInit,
  type EventName,
  type EventPayload,
  getEventDescriptor,
  KytosEventsError,
  SCHEMA_VERSION,
} from "@kytos-events/schema";
import { uuidv7 } from "./uuid-v7.js";

const MAX_UINT64 = 2n ** 64n - 1n;

export interface EnvelopeInput<N extends EventName> {
  /** The controller's event name, e.g. "kytos/topology.link_down". */
  readonly type: N;
  /** The event's message, or a plain object to build it from. */
  readonly payload: EventPayload<N> | EventInit<N>;
  /** The controller instance that raised the event (non-empty). */
  readonly source: string;
  /** From the source's SequenceCounter: consecutive per source, 1 and up. */
  readonly sequence: bigint;
  /** When the controller raised the event, in milliseconds since the epoch. Default: now. */
  readonly occurredAt?: number;
  /** Default: a new UUIDv7 (its time is when the envelope was made, not occurredAt). */
  readonly id?: string;
}

/**
 * Throws KE_UNKNOWN_EVENT_NAME for a name the schema does not know, and KE_MAPPING_INVALID for
 * a payload of another event's message, an empty source or id, or an out-of-range sequence or time.
 */
export function createEnvelope<N extends EventName>(input: EnvelopeInput<N>): Envelope {
  const descriptor = getEventDescriptor(input.type as EventName);
  const occurredAt = input.occurredAt ?? Date.now();
  check(input, occurredAt);
  const payload = isMessage(input.payload)
    ? input.payload
    : create(descriptor.schema, input.payload as never);
  if (payload.$typeName !== descriptor.schema.typeName) {
    invalid(
      input.type,
      `the payload is a ${payload.$typeName}, but the event carries a ${descriptor.schema.typeName}`,
    );
  }
  return create(EnvelopeSchema, {
    // The id's clock is this process's, so a caller's occurredAt (old, or skewed) never
    // disturbs the ordering of the ids it hands out.
    id: input.id ?? uuidv7(),
    type: input.type,
    source: input.source,
    sequence: input.sequence,
    occurredAt: timestampFromMs(occurredAt),
    key: descriptor.key(payload as never),
    schemaVersion: SCHEMA_VERSION,
    payload: { case: descriptor.payloadCase, value: payload } as Envelope["payload"],
  });
}

function check(input: EnvelopeInput<EventName>, occurredAt: number): void {
  if (!input.source) invalid(input.type, "source is empty: name the controller instance");
  if (input.id !== undefined && !input.id) invalid(input.type, "id is empty: omit it to get a UUIDv7");
  if (input.sequence < 0n || input.sequence > MAX_UINT64) {
    invalid(input.type, `sequence ${input.sequence} is outside 0..2^64-1`);
  }
  if (!Number.isFinite(occurredAt) || occurredAt < 0) {
    invalid(input.type, `occurredAt ${occurredAt} is not a time in milliseconds since the epoch`);
  }
}

function invalid(type: string, what: string): never {
  throw new KytosEventsError(ErrorCode.MappingInvalid, `cannot build the envelope of "${type}": ${what}.`);
}
