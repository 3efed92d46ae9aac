// The project's one error hierarchy. Every error any @kytos-events package throws or reports
// is a KytosEventsError with a stable `code`; the message says what went wrong and what to do.
// It lives in the schema package because that is the package every other one depends on.

/** Stable error codes. Never renumber or reuse one; add new codes at the end of their group. */
export const ErrorCode = {
  // configuration, detected at start-up or on reload
  ConfigInvalid: "KE_CONFIG_INVALID",
  FilterPatternInvalid: "KE_FILTER_PATTERN_INVALID",
  UnknownEventName: "KE_UNKNOWN_EVENT_NAME",
  // data: controller JSON and wire bytes
  MappingInvalid: "KE_MAPPING_INVALID",
  DecodeFailed: "KE_DECODE_FAILED",
  SchemaTooNew: "KE_SCHEMA_TOO_NEW",
  MessageTooLarge: "KE_MESSAGE_TOO_LARGE",
  // transports and brokers
  TransportUnavailable: "KE_TRANSPORT_UNAVAILABLE",
  AuthenticationFailed: "KE_AUTHENTICATION_FAILED",
  AuthorizationFailed: "KE_AUTHORIZATION_FAILED",
  SendRejected: "KE_SEND_REJECTED",
  TopologyConflict: "KE_TOPOLOGY_CONFLICT",
  // lifecycle and flow control
  BufferOverflow: "KE_BUFFER_OVERFLOW",
  Closed: "KE_CLOSED",
  Timeout: "KE_TIMEOUT",
  HandlerFailed: "KE_HANDLER_FAILED",
  StoreUnavailable: "KE_STORE_UNAVAILABLE",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class of every error raised by `@kytos-events` packages. */
export class KytosEventsError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** True for any error of this project's hierarchy, whichever copy of the package made it. */
export function isKytosEventsError(err: unknown): err is KytosEventsError {
  return (
    err instanceof KytosEventsError ||
    (err instanceof Error &&
      typeof (err as { code?: unknown }).code === "string" &&
      (err as Error & { code: string }).code.startsWith("KE_"))
  );
}
