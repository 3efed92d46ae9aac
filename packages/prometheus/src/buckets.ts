// Histogram buckets, in milliseconds. Handlers and broker acknowledgements usually take a
// few ms to a few hundred; a send can wait seconds to minutes in an outage buffer, so the
// top buckets reach a minute before +Inf.
export const DEFAULT_LATENCY_BUCKETS_MS: readonly number[] = [
  0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000,
];
