// amqplib errors → the project's error hierarchy. Messages name the URL with its password
// masked and say what to check; the broker's own words are kept when they help.
import { ErrorCode, KytosEventsError } from "@kytos-events/core";

interface AmqpErrorLike {
  readonly message?: string;
  readonly code?: string | number;
}

export function mapConnectError(err: unknown, safeUrl: string): KytosEventsError {
  const e = (err ?? {}) as AmqpErrorLike;
  const message = e.message ?? String(err);
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
