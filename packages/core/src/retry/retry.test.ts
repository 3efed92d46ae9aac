import { ErrorCode, KytosEventsError } from "@kytos-events/schema";
import { describe, expect, it } from "vitest";
import { SendError } from "../transport/send-error.js";
import { BackoffPolicy } from "./backoff-policy.js";
import { isRetriable, withRetry } from "./with-retry.js";

describe("BackoffPolicy", () => {
  it("grows exponentially up to the cap without jitter", () => {
    const p = new BackoffPolicy({ initialDelayMs: 100, multiplier: 2, maxDelayMs: 1000, jitter: "none" });
    expect([1, 2, 3, 4, 5, 6].map((n) => p.nextDelay(n))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("spreads delays with full and equal jitter using the injected random source", () => {
    const full = new BackoffPolicy({ initialDelayMs: 100, jitter: "full" }, () => 0.5);
    expect(full.nextDelay(3)).toBe(200);
    const equal = new BackoffPolicy({ initialDelayMs: 100, jitter: "equal" }, () => 0);
    expect(equal.nextDelay(3)).toBe(200);
    const equalMax = new BackoffPolicy({ initialDelayMs: 100, jitter: "equal" }, () => 1);
    expect(equalMax.nextDelay(3)).toBe(400);
  });

  it("stops after maxRetries", () => {
    const p = new BackoffPolicy({ maxRetries: 2, jitter: "none" });
    expect(p.nextDelay(2)).toBe(200);
    expect(p.nextDelay(3)).toBeUndefined();
  });

  it("keeps every jittered delay within its band and repeats them for the same random sequence", () => {
    const seeded = (seed: number) => () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const config = { initialDelayMs: 50, multiplier: 3, maxDelayMs: 10_000 } as const;
    const exact = new BackoffPolicy({ ...config, jitter: "none" });
    const full = new BackoffPolicy({ ...config, jitter: "full" }, seeded(1));
    const equal = new BackoffPolicy({ ...config, jitter: "equal" }, seeded(2));
    for (let retry = 1; retry <= 40; retry++) {
      const base = exact.nextDelay(retry)!;
      const f = full.nextDelay(retry)!;
      const e = equal.nextDelay(retry)!;
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(base);
      expect(e).toBeGreaterThanOrEqual(base / 2);
      expect(e).toBeLessThan(base);
    }
    const again = (seed: number) => {
      const p = new BackoffPolicy({ ...config, jitter: "full" }, seeded(seed));
      return [1, 2, 3, 4, 5].map((n) => p.nextDelay(n));
    };
    expect(again(9)).toEqual(again(9));
  });

  it("offers a constant policy, and a zero initial delay stays zero at any retry", () => {
    const constant = BackoffPolicy.constant(250, 3);
    expect([1, 2, 3, 4].map((n) => constant.nextDelay(n))).toEqual([250, 250, 250, undefined]);
    const zero = new BackoffPolicy({ initialDelayMs: 0, jitter: "none" });
    expect(zero.nextDelay(5000)).toBe(0);
    const capped = new BackoffPolicy({ initialDelayMs: 10, maxDelayMs: 500, jitter: "none" });
    expect(capped.nextDelay(100_000)).toBe(500);
  });

  it("rejects invalid settings with a config error naming the setting", () => {
    expect(() => new BackoffPolicy({ maxRetries: 1.5 })).toThrow(/maxRetries/);
    expect(() => new BackoffPolicy({ maxRetries: -1 })).toThrow(/maxRetries/);
    expect(() => new BackoffPolicy({ maxDelayMs: 2 ** 31 })).toThrow(/maxDelayMs/);
    expect(() => new BackoffPolicy({ initialDelayMs: Number.NaN })).toThrow(/initialDelayMs/);
    expect(() => new BackoffPolicy({ jitter: "random" as never })).toThrow(/jitter/);
    expect(() => new BackoffPolicy({ multiplier: 0.5 })).toThrow(/multiplier/);
    expect(() => new BackoffPolicy({ initialDelayMs: 500, maxDelayMs: 100 })).toThrow(/maxDelayMs/);
    expect(() => new BackoffPolicy({ initialDelayMs: -1 })).toThrow(
      expect.objectContaining({ code: "KE_CONFIG_INVALID" }),
    );
  });
});

describe("withRetry", () => {
  const fast = new BackoffPolicy({ initialDelayMs: 1, maxDelayMs: 2, jitter: "none", maxRetries: 5 });
  const unavailable = () => new KytosEventsError(ErrorCode.TransportUnavailable, "down");

  it("retries retriable failures until the operation succeeds", async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await withRetry(
      async () => {
        if (++calls < 3) throw unavailable();
        return "ok";
      },
      fast,
      { onRetry: (_e, n) => retries.push(n) },
    );
    expect(result).toBe("ok");
    expect(retries).toEqual([1, 2]);
  });

  it("surfaces a non-retriable failure at once, and a retriable one after the limit", async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new KytosEventsError(ErrorCode.AuthenticationFailed, "bad password");
      }, fast),
    ).rejects.toMatchObject({ code: "KE_AUTHENTICATION_FAILED" });
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw unavailable();
      }, fast),
    ).rejects.toMatchObject({ code: "KE_TRANSPORT_UNAVAILABLE" });
    expect(calls).toBe(6);
  });

  it("stops waiting when aborted", async () => {
    const slow = new BackoffPolicy({ initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: "none" });
    const controller = new AbortController();
    const run = withRetry(() => Promise.reject(unavailable()), slow, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10); // while it waits a minute before the next try
    await expect(run).rejects.toMatchObject({ code: "KE_CLOSED" });
  });

  it("does not start an operation once the signal has aborted", async () => {
    let calls = 0;
    const run = withRetry(async () => ++calls, fast, { signal: AbortSignal.abort() });
    await expect(run).rejects.toMatchObject({ code: "KE_CLOSED" });
    expect(calls).toBe(0);
  });

  it("classifies SendError by its failures", () => {
    const error = (retriable: boolean) => new SendError([{ index: 0, retriable, error: new Error("x") }], 1);
    expect(isRetriable(error(true))).toBe(true);
    expect(isRetriable(error(false))).toBe(false);
    expect(isRetriable(new Error("plain"))).toBe(false);
    expect(isRetriable(new KytosEventsError(ErrorCode.Timeout, "slow"))).toBe(true);
    expect(isRetriable(new KytosEventsError(ErrorCode.Closed, "closed"))).toBe(false);
  });
});
