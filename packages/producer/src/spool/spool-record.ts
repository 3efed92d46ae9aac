// An event as a spool record: a small JSON head (key, headers, sequence) and the encoded
// envelope bytes as they are. Replaying it sends exactly the bytes that were published.
import type { PublishedEvent } from "../published-event.js";
import { eventSize } from "../published-event.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Head {
  readonly k: string;
  readonly h: Readonly<Record<string, string>>;
  readonly s: string;
  readonly i: string;
  readonly t: string;
}

export function serializeEvent(event: PublishedEvent): Uint8Array {
  const head: Head = {
    k: event.key,
    h: event.headers,
    s: event.sequence.toString(),
    i: event.id,
    t: event.type,
  };
  const headBytes = encoder.encode(JSON.stringify(head));
  const out = new Uint8Array(4 + headBytes.byteLength + event.value.byteLength);
  new DataView(out.buffer).setUint32(0, headBytes.byteLength);
  out.set(headBytes, 4);
  out.set(event.value, 4 + headBytes.byteLength);
  return out;
}

/** Throws when the payload is not a spool record (callers count it as corrupt). */
export function deserializeEvent(payload: Uint8Array): PublishedEvent {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const headLength = view.getUint32(0);
  if (4 + headLength > payload.byteLength) throw new Error("record head runs past the record");
  const head = JSON.parse(decoder.decode(payload.subarray(4, 4 + headLength))) as Head;
  if (typeof head.k !== "string" || typeof head.t !== "string" || typeof head.h !== "object") {
    throw new Error("record head lacks key, type or headers");
  }
  // A copy: the payload views a read buffer that is reused.
  const value = payload.slice(4 + headLength);
  return {
    id: head.i,
    sequence: BigInt(head.s),
    type: head.t,
    key: head.k,
    value,
    headers: head.h,
    size: eventSize(value, head.k, head.t),
    publishedAt: performance.now(),
    receipt: undefined,
  };
}
