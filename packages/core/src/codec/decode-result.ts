// What decoding a record yields. Decoding never throws: a consumer gets either the event or a
// reason it can act on (dead-letter, skip, route to an "unknown event" handler).
import type { Envelope, EventCaseMap, KytosEventsError, PayloadCase } from "@kytos-events/schema";

export type DecodeFailureReason =
  /** The bytes are not an envelope in the declared content type, or the envelope contradicts itself. */
  | "malformed"
  /** The content-type header names an encoding this build cannot read. */
  | "unsupported-content-type"
  /** A valid envelope whose payload this build's schema does not know (a newer producer). */
  | "unknown-event"
  /** The envelope was written with a newer schema version than this build's. */
  | "schema-too-new";

/** The event of a decoded envelope; `case` narrows `type` and `value` together. */
export type DecodedEvent = {
  [C in PayloadCase]: {
    /** The controller's event name (a concrete name also for families such as `kytos/core.shutdown.<napp>`). */
    readonly type: EventCaseMap[C];
    readonly case: C;
    readonly value: Extract<Envelope["payload"], { case: C }>["value"];
  };
}[PayloadCase];

export interface DecodeSuccess {
  readonly ok: true;
  readonly envelope: Envelope;
  readonly event: DecodedEvent;
}

export interface DecodeFailure {
  readonly ok: false;
  readonly reason: DecodeFailureReason;
  readonly error: KytosEventsError;
  /** The event name, when the envelope or the headers tell it. */
  readonly type: string | undefined;
  /**
   * The decoded envelope when the bytes were readable ("unknown-event": payload unset, the
   * unknown payload field kept in the envelope's `$unknown` fields so re-encoding it loses
   * nothing; "schema-too-new": fully decoded, process at your own risk).
   */
  readonly envelope: Envelope | undefined;
  /** The record's bytes as received, to forward or dead-letter unchanged. */
  readonly raw: Uint8Array;
}

export type DecodeResult = DecodeSuccess | DecodeFailure;
