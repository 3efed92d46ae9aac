// Retry timing shared by producer, consumer and transports: exponential backoff with jitter
// (so a fleet of clients does not reconnect in lockstep), capped, with an optional attempt limit.
import { ErrorCode, KytosEventsError } from "@kytos-events/schema";

export interface BackoffConfig {
  /** Delay before the first retry, ms. Default 100. */
  readonly initialDelayMs?: number;
  /** Growth per attempt. Default 2 (1 = constant delay). */
  readonly multiplier?: number;
  /** Cap on any single delay, ms. Default 30 000. */
  readonly maxDelayMs?: number;
  /** Retries allowed after the first try; Infinity = keep trying. Default Infinity. */
  readonly maxRetries?: number;
  /**
   * "full": uniform in [0, d] (best spread); "equal": d/2 + uniform in [0, d/2] (never too
   * short); "none": exactly d (tests, deterministic tools). Default "full".
   */
  readonly jitter?: "full" | "equal" | "none";
}

export class BackoffPolicy {
  readonly initialDelayMs: number;
  readonly multiplier: number;
  readonly maxDelayMs: number;
  readonly maxRetries: number;
  readonly jitter: "full" | "equal" | "none";

  constructor(
    config: BackoffConfig = {},
    private readonly random: () => number = Math.random,
  ) {
    this.initialDelayMs = config.initialDelayMs ?? 100;
    this.multiplier = config.multiplier ?? 2;
    this.maxDelayMs = config.maxDelayMs ?? 30_000;
    this.maxRetries = config.maxRetries ?? Number.POSITIVE_INFINITY;
    this.jitter = config.jitter ?? "full";
    const bad = (what: string) => new KytosEventsError(ErrorCode.ConfigInvalid, `backoff: ${what}.`);
    if (!(this.initialDelayMs >= 0)) throw bad(`initialDelayMs must be >= 0, got ${this.initialDelayMs}`);
    if (!(this.multiplier >= 1)) throw bad(`multiplier must be >= 1, got ${this.multiplier}`);
    if (!(this.maxDelayMs >= this.initialDelayMs))
      throw bad(`maxDelayMs must be >= initialDelayMs, got ${this.maxDelayMs}`);
    if (!(this.maxRetries >= 0)) throw bad(`maxRetries must be >= 0, got ${this.maxRetries}`);
    if (!["full", "equal", "none"].includes(this.jitter))
      throw bad(`jitter must be full, equal or none, got ${this.jitter}`);
  }

  /** Delay before retry number `retry` (1-based), or undefined when retries are exhausted. */
  nextDelay(retry: number): number | undefined {
    if (retry > this.maxRetries) return undefined;
    const base = Math.min(this.maxDelayMs, this.initialDelayMs * this.multiplier ** Math.max(0, retry - 1));
    if (this.jitter === "none") return base;
    if (this.jitter === "equal") return base / 2 + this.random() * (base / 2);
    return this.random() * base;
  }
}
