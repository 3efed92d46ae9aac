// Public API of @kytos-events/core: the transport-neutral layer producers, consumers and
// transports share.

export { ErrorCode, isKytosEventsError, KytosEventsError } from "@kytos-events/schema";
export type {
  DecodeFailure,
  DecodeFailureReason,
  DecodeResult,
  DecodeSuccess,
} from "./codec/decode-result.js";
export type { EncodedEnvelope, WireFormat } from "./codec/envelope-codec.js";
export { ContentType, decodeEnvelope, encodeEnvelope } from "./codec/envelope-codec.js";
export type { EnvelopeInput } from "./envelope/create-envelope.js";
export { createEnvelope } from "./envelope/create-envelope.js";
export { SequenceCounter } from "./envelope/sequence-counter.js";
export { uuidv7, uuidv7Time } from "./envelope/uuid-v7.js";
export type { LogFields, Logger } from "./logger.js";
export { silentLogger } from "./logger.js";
export type { MemoryBrokerOptions } from "./memory/memory-broker.js";
export { MemoryBroker } from "./memory/memory-broker.js";
export type { MemoryTransportOptions } from "./memory/memory-transport.js";
export { createMemoryBroker, createMemoryTransport, MemoryTransport } from "./memory/memory-transport.js";
export { OffsetTracker } from "./tracking/offset-tracker.js";
export { Header } from "./transport/headers.js";
export { SendError } from "./transport/send-error.js";
export type {
  CloseReport,
  DestinationSpec,
  InboundRecord,
  OutboundRecord,
  Position,
  RetryOptions,
  SendFailure,
  SendOptions,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportCapabilities,
} from "./transport/transport.js";
