// kafkajs errors → the project's error hierarchy, with a retriable verdict and a message that
// says what to do. Messages never include credentials: kafkajs's own messages don't carry the
// password, and we never interpolate the config.
import { ErrorCode, isTlsFailureCode, KytosEventsError } from "@kytos-events/core";

export interface MappedError {
  readonly error: KytosEventsError;
  readonly retriable: boolean;
}

interface KafkaJsErrorLike {
  name?: string;
  message?: string;
  type?: string;
  code?: unknown;
  retriable?: boolean;
  originalError?: KafkaJsErrorLike;
  cause?: KafkaJsErrorLike;
  errors?: KafkaJsErrorLike[];
}

/** The error and what it wraps, outermost first: kafkajs 2.2.4 wraps exhausted retries in `cause`. */
function* chain(err: unknown): Generator<KafkaJsErrorLike> {
  let e = err as KafkaJsErrorLike | undefined;
  for (let depth = 0; e && typeof e === "object" && depth < 6; depth++) {
    yield e;
    e = e.originalError ?? e.cause ?? e.errors?.[e.errors.length - 1];
  }
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

/** The TLS failure code in a kafkajs error chain (handshake, certificate), if any. */
function tlsCode(err: unknown): string | undefined {
  for (const { code } of chain(err)) {
    if (isTlsFailureCode(code)) return code;
  }
  return undefined;
}

/** The innermost protocol error type (kafkajs wraps retried errors). */
export function rootType(err: unknown): string | undefined {
  for (const e of chain(err)) if (e.type) return e.type;
  return undefined;
}

function rootName(err: unknown): string | undefined {
  let name: string | undefined;
  for (const e of chain(err)) name = e.name ?? name;
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
  const tls = tlsCode(err);
  if (tls) {
    return make(
      ErrorCode.AuthenticationFailed,
      `${context}: TLS with Kafka at ${brokers.join(",")} failed (${tls}). Check tls.ca (the CA that ` +
        "signed the brokers' certificates), tls.cert and tls.key if the listener requires client " +
        "certificates, tls.servername, and that the listener speaks TLS (SSL or SASL_SSL).",
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
    // A reset during the TLS handshake is also what a plaintext listener does to a TLS
    // client; it stays retriable (a restarting broker does the same) but says so.
    const hint = /secure TLS connection/.test(message)
      ? " If this persists, check that the listener speaks TLS (SSL or SASL_SSL)."
      : "";
    return make(
      ErrorCode.TransportUnavailable,
      `${context}: Kafka at ${brokers.join(",")} did not answer (${message}). Check the broker is running and reachable.${hint}`,
      true,
    );
  }
  return make(ErrorCode.TransportUnavailable, `${context}: ${message}`, true);
}
