// Reads a subscription in the background so tests can wait for "n records" or "this record"
// with a deadline, instead of sleeping.
import type { InboundRecord, Subscription } from "../transport/transport.js";

export class Collector {
  readonly records: InboundRecord[] = [];
  /** When each record arrived (Date.now()), index for index with `records`. */
  readonly arrivals: number[] = [];
  private waiters: (() => void)[] = [];
  private done: Promise<void>;
  failure: unknown;
  /** True once iteration ended (closed, or failed: see `failure`). */
  ended = false;

  constructor(readonly subscription: Subscription) {
    this.done = (async () => {
      try {
        for await (const record of subscription) {
          this.records.push(record);
          this.arrivals.push(Date.now());
          this.notify();
        }
      } catch (err) {
        this.failure = err;
      }
      this.ended = true;
      this.notify();
    })();
  }

  /** Resolves once `predicate` holds for the records seen so far; rejects at the deadline. */
  async until(
    predicate: (records: readonly InboundRecord[]) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.records)) {
      if (this.failure) throw this.failure;
      if (this.ended) {
        throw new Error(`the subscription ended before ${what} (have ${this.records.length} records)`);
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what} (have ${this.records.length} records)`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  count(n: number, timeoutMs: number): Promise<void> {
    return this.until((r) => r.length >= n, timeoutMs, `${n} records`);
  }

  /** Closes the subscription and waits for the reader to stop. */
  async close() {
    const report = await this.subscription.close();
    await this.done;
    return report;
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
