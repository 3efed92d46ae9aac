// Runs an async operation under a backoff policy: retriable failures wait and try again,
// anything else (or exhaustion, or an abort) surfaces at once.
import { ErrorCode, isKytosEventsError, KytosEventsError } from "@kytos-events/schema";
import { SendError } from "../transport/send-error.js";
import type { BackoffPolicy } from "./backoff-policy.js";

const RETRIABLE_CODES = new Set<string>([
  ErrorCode.TransportUnavailable,
  ErrorCode.Timeout,
  ErrorCode.StoreUnavailable,
]);

/** The default classification: broker/store unavailability and timeouts are worth retrying. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof SendError) return err.retriable;
  return isKytosEventsError(err) && RETRIABLE_CODES.has(err.code);
}

export interface RetryRunOptions {
  readonly signal?: AbortSignal;
  readonly retriable?: (err: unknown) => boolean;
  /** Called before each wait, e.g. to log or count retries. */
  readonly onRetry?: (err: unknown, retry: number, delayMs: number) => void;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function abortError(signal: AbortSignal): KytosEventsError {
  return new KytosEventsError(ErrorCode.Closed, "operation aborted before it succeeded.", {
    cause: signal.reason,
  });
}

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: BackoffPolicy,
  options: RetryRunOptions = {},
): Promise<T> {
  const retriable = options.retriable ?? isRetriable;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (err) {
      const delay = retriable(err) ? policy.nextDelay(attempt) : undefined;
      if (delay === undefined || options.signal?.aborted) throw err;
      options.onRetry?.(err, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}
