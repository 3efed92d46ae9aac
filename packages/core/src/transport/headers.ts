// Header names every transport and SDK agrees on. Headers let a broker, a router or a human
// with a CLI tell what a record is without decoding it; the envelope stays the source of truth.

export const Header = {
  /** `application/x-protobuf` (default) or `application/json` (Protobuf JSON, for debugging). */
  ContentType: "content-type",
  /** The controller's event name, e.g. `kytos/topology.link_down`. */
  EventType: "ke-event-type",
  EventId: "ke-event-id",
  SchemaVersion: "ke-schema-version",
  Source: "ke-source",
  /** W3C trace context. */
  TraceParent: "traceparent",
  TraceState: "tracestate",
  /** Set on dead-lettered copies: why, from where, when, after how many attempts. */
  DeadLetterReason: "ke-dead-letter-reason",
  DeadLetterOrigin: "ke-dead-letter-origin",
  DeadLetterAt: "ke-dead-letter-at",
  Attempt: "ke-attempt",
  /** The record key, for transports whose messages have no key field of their own. */
  Key: "ke-key",
} as const;

export type Header = (typeof Header)[keyof typeof Header];
