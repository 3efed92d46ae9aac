// Steady-rate publishing for the latency and memory parts: every tick, publish what the
// schedule says is due by now, so a late timer catches up instead of lowering the rate.
import { setTimeout as sleep } from "node:timers/promises";

/** Calls `publish(i)` `rate` times a second for `seconds`; returns how many it published. */
export async function publishAtRate(
  rate: number,
  seconds: number,
  publish: (i: number) => void,
  onTick?: (elapsedMs: number) => void,
): Promise<number> {
  const start = performance.now();
  const total = Math.round(rate * seconds);
  let sent = 0;
  while (sent < total) {
    const elapsed = performance.now() - start;
    const due = Math.min(total, Math.floor((rate * elapsed) / 1000) + 1);
    for (; sent < due; sent++) publish(sent);
    onTick?.(elapsed);
    await sleep(5);
  }
  return sent;
}

/** Nearest-rank percentile of `sorted` (ascending). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
