// amqplib errors → the project's error hierarchy. Messages name the URL with its password
// masked and say what to check; the broker's own words are kept when they help. A refused
// certificate or TLS handshake is KE_AUTHENTICATION_FAILED, like a refused login: retrying
// cannot fix either.
import { ErrorCode, isTlsFailureCode, KytosEventsError } from "@kytos-events/core";

interface AmqpErrorLike {
  readonly message?: string;
  readonly code?: string | number;
}

// What a TLS client sees when the port speaks plain AMQP: the broker answers the ClientHello
// with its protocol header, which OpenSSL reads as a record of an unknown version.
const NOT_TLS_CODES = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG"]);

/** The TLS failure code of an error or its cause (handshake, certificate), if any. */
function tlsCode(err: unknown): string | undefined {
  for (let e = err as AmqpErrorLike & { cause?: unknown }, depth = 0; e && depth < 4; depth++) {
    const code = e.code;
    if (isTlsFailureCode(code)) return code;
    e = e.cause as AmqpErrorLike & { cause?: unknown };
  }
  return undefined;
}

export function mapConnectError(err: unknown, safeUrl: string): KytosEventsError {
  const e = (err ?? {}) as AmqpErrorLike;
  const message = e.message ?? String(err);
  const tls = tlsCode(err);
  if (tls && NOT_TLS_CODES.has(tls)) {
    return new KytosEventsError(
      ErrorCode.TransportUnavailable,
      `RabbitMQ at ${safeUrl} did not answer TLS (${tls}): check that the listener speaks TLS (amqps, usually port 5671), not plain AMQP.`,
      { cause: err },
    );
  }
  if (tls) {
    return new KytosEventsError(
      ErrorCode.AuthenticationFailed,
      `TLS with RabbitMQ at ${safeUrl} failed (${tls}): check tls.ca (the CA that signed the broker's certificate), ` +
        "tls.cert and tls.key if the listener requires client certificates, and tls.servername or the URL's host " +
        "(it must match the certificate).",
      { cause: err },
    );
  }
  if (/ACCESS[-_]REFUSED|\b403\b/.test(message)) {
    return new KytosEventsError(
      ErrorCode.AuthenticationFailed,
      `RabbitMQ at ${safeUrl} refused the login: check the user name and password (in the URL, or the username/password options).`,
      { cause: err },
    );
  }
  // connection.open is the step that names the virtual host; amqplib reports the broker's
  // refusal of it as "Expected ConnectionOpenOk; got <ConnectionClose …>" without the reason.
  if (/NOT[-_]ALLOWED|\b530\b|Expected ConnectionOpenOk; got <ConnectionClose/.test(message)) {
    return new KytosEventsError(
      ErrorCode.AuthorizationFailed,
      `RabbitMQ at ${safeUrl} refused access to the virtual host: check that it exists and that the user has permissions on it (rabbitmqctl list_vhosts, list_user_permissions).`,
      { cause: err },
    );
  }
  return new KytosEventsError(
    ErrorCode.TransportUnavailable,
    `RabbitMQ at ${safeUrl} is not reachable (${e.code ?? message}): check the URL and that the broker is running.`,
    { cause: err },
  );
}

/**
 * Whether sending again can help after the connection could not be (re)opened. A refused
 * login or virtual host (credentials changed or the user deleted mid-run), or a refused
 * certificate, stays refused whoever retries: non-retriable, as the Kafka transport treats
 * SASL and authorization failures, so a producer reports those events instead of resending
 * them forever. A broker that is away may come back: retriable.
 */
export function isRetriableConnectFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code !== ErrorCode.AuthenticationFailed && code !== ErrorCode.AuthorizationFailed;
}

/** A declaration refused with PRECONDITION_FAILED (406): the object exists with other settings. */
export function isPreconditionFailed(err: unknown): boolean {
  const e = (err ?? {}) as AmqpErrorLike;
  return e.code === 406 || /PRECONDITION[-_]FAILED/.test(e.message ?? "");
}

/** A passive declaration of something that does not exist (404). */
export function isNotFound(err: unknown): boolean {
  const e = (err ?? {}) as AmqpErrorLike;
  return e.code === 404 || /NOT[-_]FOUND/.test(e.message ?? "");
}
