import { describe, expect, it } from "vitest";
import { directoryOf, lastValueExchangeOf, lastValueQueueOf } from "./last-value.js";

describe("last-value names", () => {
  it("names a key's queue after the destination and the key", () => {
    expect(lastValueQueueOf("kytos.status.link", "abc123")).toBe("kytos.status.link.last.abc123");
    expect(lastValueQueueOf("kytos.status.interface", "00:00:00:00:00:00:00:01:1")).toBe(
      "kytos.status.interface.last.00:00:00:00:00:00:00:01:1",
    );
  });

  it("hashes a key too long for a queue name, keeping names distinct", () => {
    const a = lastValueQueueOf("kytos.status.link", "x".repeat(300));
    const b = lastValueQueueOf("kytos.status.link", `${"x".repeat(299)}y`);
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(255);
    expect(a).toMatch(/^kytos\.status\.link\.last\.sha256-[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });

  it("keeps the directory out of the key queues' namespace", () => {
    expect(directoryOf("kytos.status.link")).toBe("kytos.status.link.directory");
    expect(lastValueQueueOf("kytos.status.link", "directory")).not.toBe(directoryOf("kytos.status.link"));
    expect(lastValueExchangeOf("kytos.events", "kytos.status.link")).toBe(
      "kytos.events.last.kytos.status.link",
    );
  });
});
