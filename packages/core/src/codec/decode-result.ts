// What decoding a record yields. Decoding never throws: a consumer gets either the event or a
// reason it can act on (dead-letter, skip, route to an "unknown event" handler).
import type { Envelope, KytosEventsError } from "@kytos-events/schema";

export type DecodeFailureReason =
  /** The bytes are not an envelope in the declared content type. */
  | "malformed"
  /** The content-type header names an encoding this build cannot read. */
  | "unsupported-content-type"
  /** A valid envelope whose payload this build's schema does not know (a newer producer). */
  | "unknown-event"
  /** The envelope was written with a newer schema version than this build's. */
  | "schema-too-new";

export interface DecodeSuccess {
  readonly ok: true;
  readonly envelope: Envelope;
}

export interface DecodeFailure {
  readonly ok: false;
  readonly reason: DecodeFailureReason;
  readonly error: KytosEventsError;
  /** The event name, when the envelope or the headers tell it. */
  readonly type: string | undefined;
  /**
   * The decoded envelope when the bytes were readable ("unknown-event": payload unset, the
   * unknown field kept in its `$unknown` fields; "schema-too-new": fully decoded, process at
   * your own risk).
   */
  readonly envelope: Envelope | undefined;
}

export type DecodeResult = DecodeSuccess | DecodeFailure;
