import { Header } from "@kytos-events/core";
import { describe, expect, it } from "vitest";
import { type CopySource, deadLetterCopy, retryCopy } from "./settlement-copies.js";

const source: CopySource = {
  queue: "sdx.kytos.topology",
  destination: "kytos.topology",
  content: Buffer.from("value"),
  headers: {
    [Header.EventType]: "kytos/topology.link_down",
    [Header.Key]: "link-1",
    [Header.Attempt]: "2",
    "x-app": "kept",
    "x-delivery-count": "4",
    "x-death": "[…]",
  },
  contentType: "application/x-protobuf",
  timestamp: 1_700_000_000,
  attempt: 3,
};

describe("retryCopy", () => {
  it("goes straight to the given queue with the next attempt, keeping value, key and application headers", () => {
    const copy = retryCopy(source, "sdx.kytos.topology.delay.128");
    expect(copy.exchange).toBe("");
    expect(copy.routingKey).toBe("sdx.kytos.topology.delay.128");
    expect(copy.content.toString()).toBe("value");
    expect(copy.options.contentType).toBe("application/x-protobuf");
    expect(copy.options.timestamp).toBe(1_700_000_000);
    expect(copy.options.headers).toEqual({
      [Header.EventType]: "kytos/topology.link_down",
      [Header.Key]: "link-1",
      [Header.Attempt]: "4",
      "x-app": "kept",
    });
  });
});

describe("deadLetterCopy", () => {
  it("carries the reason, origin, time and attempts, without the broker's headers", () => {
    const at = new Date("2026-01-02T03:04:05.000Z");
    const copy = deadLetterCopy(source, "kytos.events.direct", "kytos.topology.dlq", "bad payload", at);
    expect(copy.exchange).toBe("kytos.events.direct");
    expect(copy.routingKey).toBe("kytos.topology.dlq");
    expect(copy.options.headers).toEqual({
      [Header.EventType]: "kytos/topology.link_down",
      [Header.Key]: "link-1",
      [Header.Attempt]: "3",
      "x-app": "kept",
      [Header.DeadLetterReason]: "bad payload",
      [Header.DeadLetterOrigin]: "kytos.topology (queue sdx.kytos.topology)",
      [Header.DeadLetterAt]: "2026-01-02T03:04:05.000Z",
    });
  });
});
