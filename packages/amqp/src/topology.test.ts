import { describe, expect, it } from "vitest";
import { resolveAmqpConfig } from "./config.js";
import { delayBucketMs, queueArguments } from "./topology.js";

describe("delayBucketMs", () => {
  it("rounds a delay up to a power of two, never below 16 ms, so a retry never comes early", () => {
    expect(delayBucketMs(0)).toBe(16);
    expect(delayBucketMs(16)).toBe(16);
    expect(delayBucketMs(17)).toBe(32);
    expect(delayBucketMs(100)).toBe(128);
    expect(delayBucketMs(3000)).toBe(4096);
    for (const d of [1, 99, 1000, 65_537, 2 ** 31]) expect(delayBucketMs(d)).toBeGreaterThanOrEqual(d);
  });
});

describe("queueArguments", () => {
  it("gives a quorum group queue its dead-letter route and delivery limit", () => {
    const args = queueArguments(resolveAmqpConfig({ deliveryLimit: 5 }), "d.dlq").arguments;
    expect(args).toEqual({
      "x-queue-type": "quorum",
      "x-dead-letter-exchange": "kytos.events.direct",
      "x-dead-letter-routing-key": "d.dlq",
      "x-delivery-limit": 5,
    });
  });

  it("gives a classic group queue no delivery limit (classic queues have none)", () => {
    const args = queueArguments(resolveAmqpConfig({ queueType: "classic" }), "d.dlq").arguments;
    expect(args).not.toHaveProperty("x-delivery-limit");
  });

  it("adds single active consumer and expiry only when configured, and only SAC to group queues", () => {
    const config = resolveAmqpConfig({ singleActiveConsumer: true, queueExpiresMs: 60_000 });
    expect(queueArguments(config, "d.dlq").arguments).toMatchObject({
      "x-single-active-consumer": true,
      "x-expires": 60_000,
    });
    expect(queueArguments(config, undefined).arguments).toEqual({
      "x-queue-type": "quorum",
      "x-expires": 60_000,
    });
  });
});
