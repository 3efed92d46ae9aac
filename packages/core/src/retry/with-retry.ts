// Runs an async operation under a backoff policy: retriable failures wait and try again,
// anything else (or exhaustion, or an abort) surfaces at once.
import { ErrorCode, isKytosEventsError, KytosEventsError } from "@kytos-events/schema";
import { SendError } from "../transport/send-error.js";
import type { BackoffPolicy } from "./backoff-policy.js";

// Conditions that pass by themselves. Everything else (bad config, bad credentials, a record
// the broker refuses, a closed client) would fail the same way again.
const RETRIABLE_CODES = new Set<string>([
  ErrorCode.TransportUnavailable,
  ErrorCode.Timeout,
  ErrorCode.StoreUnavailable,
]);

/**
 * The default classification: a SendError is retriable when every failed record is; other
 * KytosEventsErrors when broker/store unavailability or a timeout caused them; foreign errors never.
 */
export function isRetriable(err: unknown): boolean {
  if (err instanceof SendError) return err.retriable;
  return isKytosEventsError(err) && RETRIABLE_CODES.has(err.code);
}

export interface RetryRunOptions {
  /** Aborting stops the waiting between tries: the run rejects with KE_CLOSED. */
  readonly signal?: AbortSignal;
  /** Which failures are worth another try. Default `isRetriable`. */
  readonly retriable?: (err: unknown) => boolean;
  /** Called before each wait (retry is 1-based), e.g. to log or count retries. */
  readonly onRetry?: (err: unknown, retry: number, delayMs: number) => void;
}

/** Resolves after `ms`; rejects with KE_CLOSED as soon as `signal` aborts. */
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

/**
 * Calls `operation(attempt)` (attempt 1, 2, …) until it resolves. A failure the classifier
 * calls retriable waits `policy.nextDelay(retry)` and tries again; a non-retriable failure, or
 * the last one when the policy's retries are spent, is rethrown unchanged.
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: BackoffPolicy,
  options: RetryRunOptions = {},
): Promise<T> {
  const retriable = options.retriable ?? isRetriable;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw abortError(options.signal);
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
