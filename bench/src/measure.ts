// Timing helpers: run an operation repeatedly for a fixed wall-clock budget and report
// operations per second. Warm-up first so the JIT has settled before the clock starts.
import { performance } from "node:perf_hooks";

export interface Rate {
  readonly ops: number;
  readonly seconds: number;
  readonly perSecond: number;
}

/** Calls `op` in chunks of `chunk` until `budgetMs` elapsed; `op` gets the iteration index. */
export function rate(op: (i: number) => unknown, budgetMs: number, chunk = 256): Rate {
  for (let i = 0; i < chunk * 4; i++) op(i);
  let ops = 0;
  let sink: unknown;
  const start = performance.now();
  let now = start;
  while (now - start < budgetMs) {
    for (let i = 0; i < chunk; i++) sink = op(ops + i);
    ops += chunk;
    now = performance.now();
  }
  if (sink === Symbol.for("never")) console.log(sink);
  const seconds = (now - start) / 1000;
  return { ops, seconds, perSecond: ops / seconds };
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
