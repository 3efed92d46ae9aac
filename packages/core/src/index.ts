// Public API of @kytos-events/core: the transport-neutral layer producers, consumers and
// transports share.
export { ErrorCode, isKytosEventsError, KytosEventsError } from "@kytos-events/schema";
export type { LogFields, Logger } from "./logger.js";
export { silentLogger } from "./logger.js";
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
