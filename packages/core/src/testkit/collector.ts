// Reads a subscription in the background so tests can wait for "n records" or "this record"
// with a deadline, instead of sleeping.
import type { InboundRecord, Subscription } from "../transport/transport.js";

export class Collector {
  readonly records: InboundRecord[] = [];
  private waiters: (() => void)[] = [];
  private done: Promise<void>;
  failure: unknown;

  constructor(readonly subscription: Subscription) {
    this.done = (async () => {
      try {
        for await (const record of subscription) {
          this.records.push(record);
          this.notify();
        }
      } catch (err) {
        this.failure = err;
      }
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
