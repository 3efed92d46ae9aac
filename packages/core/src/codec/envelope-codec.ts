// Envelope ⇄ bytes. Protobuf binary is the wire default; Protobuf JSON is for debugging (and
// for humans reading a topic with a CLI). The content type travels in a header so a consumer
// decodes either, and the event type/id/version/source headers let brokers, routers and
// tools look at a record without decoding it.
import { fromBinary, fromJsonString, toBinary, toJsonString } from "@bufbuild/protobuf";
import {
  type Envelope,
  EnvelopeSchema,
  ErrorCode,
  KytosEventsError,
  SCHEMA_VERSION,
} from "@kytos-events/schema";
import { Header } from "../transport/headers.js";
import type { DecodeFailureReason, DecodeResult } from "./decode-result.js";

export const ContentType = {
  Protobuf: "application/x-protobuf",
  Json: "application/json",
} as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

export type WireFormat = "binary" | "json";

export interface EncodedEnvelope {
  readonly value: Uint8Array;
  readonly headers: Record<string, string>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Encodes an envelope with its headers; `format` defaults to "binary". */
export function encodeEnvelope(envelope: Envelope, format: WireFormat = "binary"): EncodedEnvelope {
  const json = format === "json";
  return {
    value: json ? encoder.encode(toJsonString(EnvelopeSchema, envelope)) : toBinary(EnvelopeSchema, envelope),
    headers: {
      [Header.ContentType]: json ? ContentType.Json : ContentType.Protobuf,
      [Header.EventType]: envelope.type,
      [Header.EventId]: envelope.id,
      [Header.SchemaVersion]: String(envelope.schemaVersion),
      [Header.Source]: envelope.source,
    },
  };
}

function failure(
  reason: DecodeFailureReason,
  message: string,
  type: string | undefined,
  envelope: Envelope | undefined,
  cause?: unknown,
): DecodeResult {
  const code =
    reason === "schema-too-new"
      ? ErrorCode.SchemaTooNew
      : reason === "unknown-event"
        ? ErrorCode.UnknownEventName
        : ErrorCode.DecodeFailed;
  return { ok: false, reason, error: new KytosEventsError(code, message, { cause }), type, envelope };
}

/** Decodes a record's value; never throws. A missing content-type header means Protobuf binary. */
export function decodeEnvelope(
  value: Uint8Array,
  headers: Readonly<Record<string, string>> = {},
): DecodeResult {
  const contentType = headers[Header.ContentType] ?? ContentType.Protobuf;
  const hintedType = headers[Header.EventType];
  let envelope: Envelope;
  try {
    if (contentType === ContentType.Protobuf) {
      envelope = fromBinary(EnvelopeSchema, value);
    } else if (contentType === ContentType.Json) {
      envelope = fromJsonString(EnvelopeSchema, decoder.decode(value), { ignoreUnknownFields: true });
    } else {
      return failure(
        "unsupported-content-type",
        `content type "${contentType}" is not one this SDK reads (${ContentType.Protobuf}, ${ContentType.Json}).`,
        hintedType,
        undefined,
      );
    }
  } catch (err) {
    return failure(
      "malformed",
      `record of ${value.byteLength} bytes is not a valid ${contentType} envelope: ${(err as Error).message}. ` +
        "Dead-letter it and check the producer.",
      hintedType,
      undefined,
      err,
    );
  }
  if (!envelope.id || !envelope.type) {
    return failure(
      "malformed",
      "envelope has no id or type: not written by a kytos-events producer.",
      hintedType,
      undefined,
    );
  }
  if (envelope.payload.case === undefined) {
    return failure(
      envelope.schemaVersion > SCHEMA_VERSION ? "schema-too-new" : "unknown-event",
      `event "${envelope.type}" (schema version ${envelope.schemaVersion}) has a payload this build ` +
        `(schema version ${SCHEMA_VERSION}) does not know: upgrade @kytos-events/schema to read it.`,
      envelope.type,
      envelope,
    );
  }
  if (envelope.schemaVersion > SCHEMA_VERSION) {
    return failure(
      "schema-too-new",
      `event "${envelope.type}" was written with schema version ${envelope.schemaVersion}, newer than ` +
        `this build's ${SCHEMA_VERSION}: fields added since are not visible; upgrade @kytos-events/schema.`,
      envelope.type,
      envelope,
    );
  }
  return { ok: true, envelope };
}
