// The rejection of Transport.send: which records of the batch the broker did not accept.
import { ErrorCode, KytosEventsError } from "@kytos-events/schema";
import type { SendFailure } from "./transport.js";

export class SendError extends KytosEventsError {
  readonly failures: readonly SendFailure[];

  constructor(failures: readonly SendFailure[], batchSize: number, options?: { cause?: unknown }) {
    const retriable = failures.every((f) => f.retriable);
    super(
      ErrorCode.SendRejected,
      `${failures.length} of ${batchSize} records were not accepted by the broker ` +
        `(first: ${failures[0]?.error.message ?? "unknown"}); ` +
        (retriable ? "they can be sent again." : "some cannot succeed as sent: see failures[].error."),
      options,
    );
    this.failures = failures;
  }

  /** True when every failed record may succeed if sent again. */
  get retriable(): boolean {
    return this.failures.every((f) => f.retriable);
  }
}
