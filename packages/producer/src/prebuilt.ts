// Events the caller built itself: an envelope message (core's createEnvelope, or a relay's
// decoded envelope) or its encoded bytes (encodeEnvelope's value and headers plus the key). The
// producer sends them as they are — id, source and sequence stay the caller's — after checks
// cheap enough for the publish path: encoded bytes are never decoded again here (a consumer
// dead-letters a value that does not decode, with its reason).
import { isMessage } from "@bufbuild/protobuf";
import { ContentType, ErrorCode, Header, KytosEventsError } from "@kytos-events/core";
import { type Envelope, EnvelopeSchema, findEventDescriptor } from "@kytos-events/schema";

/**
 * An envelope already encoded, shaped like a Kafka message: `{ ...encodeEnvelope(envelope),
 * key: envelope.key }`. The producer keeps references to `value` and `headers` until the event
 * is sent: do not change them after publishing.
 */
export interface EncodedEvent {
  /** The envelope's key (link id, dpid, EVC id; "" for events without one): partitions and orders. */
  readonly key: string;
  /** The encoded envelope (Protobuf binary, or Protobuf JSON with the JSON content type). */
  readonly value: Uint8Array;
  /**
   * encodeEnvelope's headers: `ke-event-type` (a schema event name) and `ke-event-id` are
   * required, `content-type` must be one the SDK reads; extra headers travel along.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The envelope's sequence, echoed in the receipt; 0n when omitted. */
  readonly sequence?: bigint;
}

/** What a check found out about a caller-built event: enough to filter, route and receipt it. */
export interface CheckedEvent {
  readonly type: string;
  readonly id: string;
  readonly key: string;
  readonly sequence: bigint;
}

/** Checks an encoded event's headers and shape; throws KE_MAPPING_INVALID / KE_UNKNOWN_EVENT_NAME. */
export function checkEncoded(event: EncodedEvent): CheckedEvent {
  if (event === null || typeof event !== "object") invalid("?", "expected { key, value, headers }");
  const headers = event.headers;
  const type = typeof headers === "object" && headers !== null ? headers[Header.EventType] : undefined;
  if (typeof type !== "string" || type === "") {
    invalid("?", `the "${Header.EventType}" header (the event name) is missing`);
  }
  if (!(event.value instanceof Uint8Array) || event.value.byteLength === 0) {
    invalid(type, "value must be the non-empty Uint8Array encodeEnvelope returned");
  }
  if (typeof event.key !== "string") invalid(type, "key must be a string (the envelope's key)");
  const id = headers[Header.EventId];
  if (typeof id !== "string" || id === "") invalid(type, `the "${Header.EventId}" header is missing`);
  const contentType = headers[Header.ContentType];
  if (contentType !== ContentType.Protobuf && contentType !== ContentType.Json) {
    invalid(
      type,
      `content type "${String(contentType)}" is not one the SDK writes (${ContentType.Protobuf}, ${ContentType.Json})`,
    );
  }
  for (const name in headers) {
    if (typeof headers[name] !== "string") invalid(type, `header "${name}" is not a string`);
  }
  const sequence = event.sequence ?? 0n;
  if (typeof sequence !== "bigint") invalid(type, "sequence must be a bigint");
  knownType(type);
  return { type, id, key: event.key, sequence };
}

/** Checks an envelope the way a consumer will read it; throws KE_MAPPING_INVALID / KE_UNKNOWN_EVENT_NAME. */
export function checkEnvelope(envelope: Envelope): CheckedEvent {
  if (!isMessage(envelope, EnvelopeSchema)) {
    invalid("?", "expected an Envelope message (createEnvelope from @kytos-events/core)");
  }
  const { type, id, source, key, sequence, payload } = envelope;
  if (!id) invalid(type, "the envelope has no id");
  if (!source) invalid(type, "the envelope has no source");
  const descriptor = knownType(type);
  if (payload.case !== descriptor.payloadCase) {
    invalid(
      type,
      `the payload is ${payload.case ?? "empty"}, but the event carries ${descriptor.payloadCase}`,
    );
  }
  const expected = descriptor.key(payload.value as never);
  if (key !== expected) {
    invalid(type, `the key "${key}" is not the schema's key of the payload ("${expected}")`);
  }
  return { type, id, key, sequence };
}

function knownType(type: string) {
  const descriptor = findEventDescriptor(type);
  if (descriptor) return descriptor;
  throw new KytosEventsError(
    ErrorCode.UnknownEventName,
    `event "${type}" is not in the kytos.events.v1 schema: it cannot be published.`,
  );
}

function invalid(type: string, what: string): never {
  throw new KytosEventsError(
    ErrorCode.MappingInvalid,
    `a pre-built event "${type}" cannot be published: ${what}.`,
  );
}
