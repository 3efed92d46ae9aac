// Wall time and this process's CPU time of one contender. On a shared, loaded machine the
// wall-clock rate moves with everything else running; the client's CPU per event (user +
// system of this process while the contender ran: the client library, the SDK, its garbage
// collection — not the broker) is the steadier measure of what each contender costs.
import { type ThroughputResult, timed } from "./workload.js";

export interface CpuThroughputResult extends ThroughputResult {
  /** CPU microseconds this process spent per event while the contender ran. */
  readonly cpuUsPerEvent: number;
}

export async function timedCpu(
  contender: string,
  events: number,
  run: () => Promise<void>,
): Promise<CpuThroughputResult> {
  const start = process.cpuUsage();
  const result = await timed(contender, events, run);
  const used = process.cpuUsage(start);
  return { ...result, cpuUsPerEvent: (used.user + used.system) / events };
}

export interface RoundsResult extends CpuThroughputResult {
  /** How many times the contender ran; the other fields are medians over those runs. */
  readonly rounds: number;
  /** Slowest and fastest run, events/s. */
  readonly range: readonly [number, number];
}

/**
 * Runs every contender once per round, in turn (raw, SDK, raw, SDK, …), so a burst of load
 * from elsewhere on the machine hits them alike; each row is the median of its rounds.
 */
export async function inRounds(
  rounds: number,
  contenders: readonly (() => Promise<CpuThroughputResult>)[],
): Promise<RoundsResult[]> {
  const runs: CpuThroughputResult[][] = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) runs[i]!.push(await contenders[i]!());
  }
  return runs.map((results) => {
    const rates = results.map((r) => r.perSecond);
    const perSecond = median(rates);
    const first = results[0]!;
    return {
      contender: first.contender,
      events: first.events,
      seconds: first.events / perSecond,
      perSecond,
      cpuUsPerEvent: median(results.map((r) => r.cpuUsPerEvent)),
      rounds: results.length,
      range: [Math.min(...rates), Math.max(...rates)],
    };
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
