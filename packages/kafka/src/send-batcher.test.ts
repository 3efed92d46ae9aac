// The batcher's promises, without a broker: `produce` here is a recording function standing in
// for the request, so these tests are about coalescing, order and bounds, not Kafka.
import type { OutboundRecord } from "@kytos-events/core";
import { describe, expect, it } from "vitest";
import { recordBytes, SendBatcher, type SendBatcherOptions } from "./send-batcher.js";

const encoder = new TextEncoder();
const rec = (key: string, value = key, headers: Record<string, string> = {}): OutboundRecord => ({
  destination: "t",
  key,
  value: encoder.encode(value),
  headers,
});
const defaults: SendBatcherOptions = {
  lingerMs: 5,
  maxBatchRecords: 1000,
  maxBatchBytes: 1_000_000,
  maxPendingRecords: 10_000,
};
const keys = (batch: readonly OutboundRecord[]) => batch.map((r) => r.key);

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe("SendBatcher", () => {
  it("coalesces concurrent sends inside the linger window into one request, in call order", async () => {
    const requests: string[][] = [];
    const batcher = new SendBatcher(defaults, async (batch) => {
      requests.push(keys(batch));
    });
    const outcomes = await Promise.all([
      batcher.enqueue([rec("a"), rec("b")]),
      batcher.enqueue([rec("c")]),
      batcher.enqueue([rec("d"), rec("e")]),
    ]);
    expect(requests).toEqual([["a", "b", "c", "d", "e"]]);
    expect(outcomes.flat().every((o) => o.error === undefined)).toBe(true);
  });

  it("never has two requests in flight, and keeps order across requests", async () => {
    const requests: string[][] = [];
    let inFlight = 0;
    let most = 0;
    const batcher = new SendBatcher({ ...defaults, lingerMs: 0, maxBatchRecords: 3 }, async (batch) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      requests.push(keys(batch));
      inFlight--;
    });
    const sends = Array.from({ length: 10 }, (_, i) => batcher.enqueue([rec(`k${i}`)]));
    await Promise.all(sends);
    expect(most).toBe(1);
    expect(requests.flat()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`));
    expect(Math.max(...requests.map((r) => r.length))).toBeLessThanOrEqual(3);
  });

  it("splits by estimated bytes, counting headers, and lets one oversized record go alone", async () => {
    const requests: string[][] = [];
    const headers = { "ke-event-type": "kytos/topology.link_down", traceparent: "x".repeat(55) };
    const one = recordBytes(rec("k0", "v".repeat(100), headers));
    expect(one).toBeGreaterThan(100 + "ke-event-type".length + "kytos/topology.link_down".length + 55);
    const batcher = new SendBatcher({ ...defaults, maxBatchBytes: one * 2 }, async (batch) => {
      requests.push(keys(batch));
    });
    await Promise.all([
      batcher.enqueue(Array.from({ length: 5 }, (_, i) => rec(`k${i}`, "v".repeat(100), headers))),
      batcher.enqueue([rec("big", "b".repeat(one * 3))]),
    ]);
    expect(requests).toEqual([["k0", "k1"], ["k2", "k3"], ["k4"], ["big"]]);
  });

  it("fails a rejected batch's records and everything queued behind it, so nothing overtakes them", async () => {
    const requests: string[][] = [];
    const first = gate();
    const batcher = new SendBatcher({ ...defaults, lingerMs: 0, maxBatchRecords: 2 }, async (batch) => {
      requests.push(keys(batch));
      if (batch[0]!.key === "a") {
        await first.opened;
        throw new Error("broker away");
      }
    });
    const a = batcher.enqueue([rec("a"), rec("b")]);
    const c = batcher.enqueue([rec("c")]); // queued while the first request is in flight
    first.open();
    const [outA, outC] = await Promise.all([a, c]);
    expect(outA.map((o) => (o.error as Error).message)).toEqual(["broker away", "broker away"]);
    expect((outC[0]!.error as Error).message).toBe("broker away");
    expect(requests).toEqual([["a", "b"]]);
    // The batcher keeps working after a failure.
    await batcher.enqueue([rec("d")]);
    expect(requests).toEqual([["a", "b"], ["d"]]);
  });

  it("gives refused records their own errors without failing the rest or what is queued behind", async () => {
    const release = gate();
    const requests: string[][] = [];
    const batcher = new SendBatcher({ ...defaults, lingerMs: 0, maxBatchRecords: 3 }, async (batch) => {
      requests.push(keys(batch));
      if (batch[0]!.key === "a") {
        await release.opened;
        return batch.map((r) => (r.key === "b" ? new Error("too large") : undefined));
      }
      return undefined;
    });
    const first = batcher.enqueue([rec("a"), rec("b"), rec("c")]);
    const behind = batcher.enqueue([rec("d")]);
    release.open();
    const [outFirst, outBehind] = await Promise.all([first, behind]);
    expect(outFirst.map((o) => (o.error as Error | undefined)?.message)).toEqual([
      undefined,
      "too large",
      undefined,
    ]);
    expect(outBehind[0]!.error).toBeUndefined();
    expect(requests).toEqual([["a", "b", "c"], ["d"]]);
  });

  it("makes callers wait for room past maxPendingRecords instead of queueing without bound", async () => {
    const release = gate();
    let requests = 0;
    const batcher = new SendBatcher(
      { ...defaults, lingerMs: 0, maxBatchRecords: 2, maxPendingRecords: 4 },
      async () => {
        requests++;
        await release.opened;
      },
    );
    void batcher.enqueue([rec("a"), rec("b")]); // taken at once: in flight
    void batcher.enqueue([rec("c"), rec("d"), rec("e"), rec("f")]); // queued: 4 pending
    let third = false;
    const blocked = batcher.enqueue([rec("g")]).then(() => {
      third = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(batcher.pending).toBe(4);
    expect(third).toBe(false);
    release.open();
    await blocked;
    expect(third).toBe(true);
    expect(requests).toBeGreaterThanOrEqual(3);
  });

  it("on abort, withdraws records not yet taken and reports taken ones as in flight", async () => {
    const release = gate();
    const sent: string[] = [];
    const batcher = new SendBatcher({ ...defaults, lingerMs: 0, maxBatchRecords: 1 }, async (batch) => {
      sent.push(...keys(batch));
      await release.opened;
    });
    const controller = new AbortController();
    const outcomes = batcher.enqueue([rec("a"), rec("b"), rec("c")], controller.signal);
    await new Promise((r) => setImmediate(r));
    controller.abort(new Error("deadline"));
    const result = await outcomes;
    expect(result[0]).toMatchObject({ inFlight: true });
    expect(result[1]).toEqual({ withdrawn: true });
    expect(result[2]).toEqual({ withdrawn: true });
    release.open();
    await batcher.drain();
    expect(sent).toEqual(["a"]);
  });

  it("drain() sends what is lingering at once and resolves when nothing is in flight", async () => {
    const sent: string[] = [];
    const batcher = new SendBatcher({ ...defaults, lingerMs: 60_000 }, async (batch) => {
      sent.push(...keys(batch));
    });
    const pending = batcher.enqueue([rec("x"), rec("y")]);
    await batcher.drain();
    expect(sent).toEqual(["x", "y"]);
    await pending;
  });
  it("keeps order and answers every caller when thousands of records from many sends wait at once", async () => {
    const requests: string[][] = [];
    const batcher = new SendBatcher({ ...defaults, lingerMs: 0, maxBatchRecords: 500 }, async (batch) => {
      await new Promise((r) => setImmediate(r));
      requests.push(keys(batch));
    });
    const sends = Array.from({ length: 40 }, (_, s) =>
      batcher.enqueue(Array.from({ length: 250 }, (_, i) => rec(`${s * 250 + i}`))),
    );
    const outcomes = await Promise.all(sends);
    expect(outcomes.map((o) => o.length)).toEqual(Array.from({ length: 40 }, () => 250));
    expect(outcomes.flat().every((o) => o.error === undefined && !o.withdrawn)).toBe(true);
    expect(requests.flat()).toEqual(Array.from({ length: 10_000 }, (_, i) => `${i}`));
    expect(Math.max(...requests.map((r) => r.length))).toBe(500);
    expect(batcher.pending).toBe(0);
  });

  it("uses the byte sizes the caller measured for the batch budget", async () => {
    const requests: string[][] = [];
    const batcher = new SendBatcher({ ...defaults, lingerMs: 0, maxBatchBytes: 100 }, async (batch) => {
      requests.push(keys(batch));
    });
    await batcher.enqueue([rec("a"), rec("b"), rec("c"), rec("d")], undefined, [60, 30, 60, 10]);
    // Measured by recordBytes these four are 26 bytes each: [a, b, c] and [d] instead.
    expect(requests).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
  });
});
