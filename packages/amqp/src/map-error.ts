// amqplib errors → the project's error hierarchy, naming the URL without its password.
import { ErrorCode, KytosEventsError } from "@kytos-events/core";

interface AmqpErrorLike {
  message?: string;
  code?: string | number;
}

export function mapConnectError(err: unknown, safeUrl: string): KytosEventsError {
  const e = err as AmqpErrorLike;
  const message = e?.message ?? String(err);
  if (/ACCESS[-_]REFUSED|403/.test(message)) {
    return new KytosEventsError(
      ErrorCode.AuthenticationFailed,
      `RabbitMQ at ${safeUrl} refused the login: check the username and password (URL, or the username/password options).`,
      { cause: err },
    );
  }
  if (/NOT[-_]ALLOWED|530|vhost/i.test(message)) {
    return new KytosEventsError(
      ErrorCode.AuthorizationFailed,
      `RabbitMQ at ${safeUrl} refused access to the virtual host: check it exists and the user has permissions on it.`,
      { cause: err },
    );
  }
  return new KytosEventsError(
    ErrorCode.TransportUnavailable,
    `RabbitMQ at ${safeUrl} is not reachable (${e?.code ?? message}): check the URL and that the broker is running.`,
    { cause: err },
  );
}

/** A channel closed by a PRECONDITION_FAILED (406) answer to a declaration. */
export function isPreconditionFailed(err: unknown): boolean {
  const e = err as AmqpErrorLike;
  return e?.code === 406 || /PRECONDITION[-_]FAILED/.test(e?.message ?? "");
}
