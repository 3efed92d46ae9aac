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
