// kafkajs errors → the project's error hierarchy, with a retriable verdict and a message that
// says what to do. Messages never include credentials: kafkajs's own messages don't carry the
// password, and we never interpolate the config.
import { ErrorCode, KytosEventsError } from "@kytos-events/core";

export interface MappedError {
  readonly error: KytosEventsError;
  readonly retriable: boolean;
}

interface KafkaJsErrorLike {
  name?: string;
  message?: string;
  type?: string;
  retriable?: boolean;
  originalError?: KafkaJsErrorLike;
  errors?: KafkaJsErrorLike[];
}

const NON_RETRIABLE_TYPES = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "TOPIC_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "INVALID_TOPIC_EXCEPTION",
  "UNSUPPORTED_VERSION",
]);

// A handshake refused because the listener has no SASL (ILLEGAL_SASL_STATE) or not this
// mechanism is a credentials/config mismatch like a wrong password: retrying cannot fix it.
const SASL_TYPES = new Set([
  "SASL_AUTHENTICATION_FAILED",
  "ILLEGAL_SASL_STATE",
  "UNSUPPORTED_SASL_MECHANISM",
]);

const RETRIABLE_CODES = new Set<string>([ErrorCode.TransportUnavailable, ErrorCode.Timeout]);

/** The innermost protocol error type (kafkajs wraps retried errors). */
export function rootType(err: unknown): string | undefined {
  let e = err as KafkaJsErrorLike | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e.type) return e.type;
    e = e.originalError ?? e.errors?.[e.errors.length - 1];
  }
  return undefined;
}

function rootName(err: unknown): string | undefined {
  let e = err as KafkaJsErrorLike | undefined;
  let name = e?.name;
  for (let depth = 0; e && depth < 5; depth++) {
    name = e.name ?? name;
    e = e.originalError;
  }
  return name;
}

export function mapKafkaError(err: unknown, context: string, brokers: readonly string[]): MappedError {
  if (err instanceof KytosEventsError) return { error: err, retriable: RETRIABLE_CODES.has(err.code) };
  const message = (err as Error)?.message ?? String(err);
  const type = rootType(err);
  const name = rootName(err);
  const make = (code: ErrorCode, text: string, retriable: boolean): MappedError => ({
    error: new KytosEventsError(code, text, { cause: err }),
    retriable,
  });
  if (name === "KafkaJSSASLAuthenticationError" || (type !== undefined && SASL_TYPES.has(type))) {
    return make(
      ErrorCode.AuthenticationFailed,
      `${context}: SASL authentication with Kafka at ${brokers.join(",")} failed (${message}). ` +
        "Check the username, password and mechanism, and that the listener speaks SASL (SASL_PLAINTEXT or SASL_SSL).",
      false,
    );
  }
  if (type?.endsWith("AUTHORIZATION_FAILED")) {
    return make(
      ErrorCode.AuthorizationFailed,
      `${context}: not authorized (${type}). Grant this principal the needed ACLs.`,
      false,
    );
  }
  if (type === "MESSAGE_TOO_LARGE" || type === "RECORD_LIST_TOO_LARGE") {
    return make(
      ErrorCode.MessageTooLarge,
      `${context}: the broker rejected the record as too large (${type}). Lower the value size or raise the topic's max.message.bytes.`,
      false,
    );
  }
  if (type === "UNKNOWN_TOPIC_OR_PARTITION") {
    return make(
      ErrorCode.SendRejected,
      `${context}: topic does not exist. Call ensureDestinations() first.`,
      false,
    );
  }
  if (type && NON_RETRIABLE_TYPES.has(type)) {
    return make(
      ErrorCode.SendRejected,
      `${context}: Kafka rejected the request (${type}: ${message}).`,
      false,
    );
  }
  if (
    name === "KafkaJSConnectionError" ||
    name === "KafkaJSNumberOfRetriesExceeded" ||
    name === "KafkaJSNonRetriableError" ||
    name === "KafkaJSRequestTimeoutError" ||
    name === "KafkaJSBrokerNotFound" ||
    name === "KafkaJSConnectionClosedError" ||
    name === "KafkaJSTimeout" ||
    name === "KafkaJSLockTimeout" ||
    (err as KafkaJsErrorLike)?.retriable
  ) {
    return make(
      ErrorCode.TransportUnavailable,
      `${context}: Kafka at ${brokers.join(",")} did not answer (${message}). Check the broker is running and reachable.`,
      true,
    );
  }
  return make(ErrorCode.TransportUnavailable, `${context}: ${message}`, true);
}
