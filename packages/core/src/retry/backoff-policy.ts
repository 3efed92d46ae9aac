// Retry timing shared by producer, consumer and transports: exponential backoff with jitter
// (so a fleet of clients does not reconnect in lockstep), capped, with an optional retry limit.
// `nextDelay` is a pure function of the retry number and the injected random source, so
// callers and tests can reason about every delay without waiting for one.
import { ErrorCode, KytosEventsError } from "@kytos-events/schema";

export type Jitter = "full" | "equal" | "none";

export interface BackoffConfig {
  /** Delay before the first retry, ms. Default 100. */
  readonly initialDelayMs?: number;
  /** Growth per retry. Default 2 (1 = constant delay). */
  readonly multiplier?: number;
  /** Cap on any single delay, ms; at most 2 147 483 647 (the timer limit). Default 30 000. */
  readonly maxDelayMs?: number;
  /** Retries allowed after the first try (an integer); Infinity = keep trying. Default Infinity. */
  readonly maxRetries?: number;
  /**
   * "full": uniform in [0, d) (best spread); "equal": d/2 + uniform in [0, d/2) (never too
   * short); "none": exactly d (tests, deterministic tools). Default "full".
   */
  readonly jitter?: Jitter;
}

/** Longest delay a Node timer honours; beyond it setTimeout fires after 1 ms instead. */
const MAX_TIMER_MS = 2_147_483_647;
const JITTERS: readonly Jitter[] = ["full", "equal", "none"];

export class BackoffPolicy {
  readonly initialDelayMs: number;
  readonly multiplier: number;
  readonly maxDelayMs: number;
  readonly maxRetries: number;
  readonly jitter: Jitter;

  /**
   * @param random a source of numbers in [0, 1); inject a fixed one for deterministic delays.
   * @throws KytosEventsError KE_CONFIG_INVALID naming the setting that is out of range.
   */
  constructor(
    config: BackoffConfig = {},
    private readonly random: () => number = Math.random,
  ) {
    this.initialDelayMs = config.initialDelayMs ?? 100;
    this.multiplier = config.multiplier ?? 2;
    this.maxDelayMs = config.maxDelayMs ?? 30_000;
    this.maxRetries = config.maxRetries ?? Number.POSITIVE_INFINITY;
    this.jitter = config.jitter ?? "full";
    validate(this);
  }

  /** The same delay before every retry (no growth, no jitter). */
  static constant(delayMs: number, maxRetries = Number.POSITIVE_INFINITY): BackoffPolicy {
    return new BackoffPolicy({
      initialDelayMs: delayMs,
      multiplier: 1,
      maxDelayMs: delayMs,
      maxRetries,
      jitter: "none",
    });
  }

  /** Delay in ms before retry number `retry` (1-based), or undefined when retries are exhausted. */
  nextDelay(retry: number): number | undefined {
    if (retry > this.maxRetries) return undefined;
    const growth = this.multiplier ** Math.max(0, retry - 1);
    // 0 × Infinity is NaN: a zero initial delay stays zero however many retries there were.
    const base = this.initialDelayMs === 0 ? 0 : Math.min(this.maxDelayMs, this.initialDelayMs * growth);
    if (this.jitter === "none") return base;
    if (this.jitter === "equal") return base / 2 + this.random() * (base / 2);
    return this.random() * base;
  }
}

function validate(p: BackoffPolicy): void {
  const bad = (what: string) =>
    new KytosEventsError(ErrorCode.ConfigInvalid, `backoff: ${what}; fix the retry/backoff settings.`);
  if (!(p.initialDelayMs >= 0 && p.initialDelayMs <= MAX_TIMER_MS))
    throw bad(`initialDelayMs must be between 0 and ${MAX_TIMER_MS}, got ${p.initialDelayMs}`);
  if (!(p.multiplier >= 1 && Number.isFinite(p.multiplier)))
    throw bad(`multiplier must be a finite number >= 1, got ${p.multiplier}`);
  if (!(p.maxDelayMs >= p.initialDelayMs && p.maxDelayMs <= MAX_TIMER_MS))
    throw bad(`maxDelayMs must be between initialDelayMs and ${MAX_TIMER_MS}, got ${p.maxDelayMs}`);
  if (!(p.maxRetries === Number.POSITIVE_INFINITY || (Number.isInteger(p.maxRetries) && p.maxRetries >= 0)))
    throw bad(`maxRetries must be a non-negative integer or Infinity, got ${p.maxRetries}`);
  if (!JITTERS.includes(p.jitter)) throw bad(`jitter must be full, equal or none, got "${p.jitter}"`);
}
