import { ErrorCode, KytosEventsError } from "@kytos-events/core";
import { describe, expect, it } from "vitest";
import { type LaneDelivery, Receipt } from "./receipt.js";

const delivered = (lane: string): LaneDelivery => ({ lane, status: "delivered" });

describe("Receipt", () => {
  it("reports every lane in settlement order, notes first, whether durable is asked before or after", async () => {
    const early = new Receipt("id-1", 7n, true, 2);
    const late = new Receipt("id-1", 7n, true, 2);
    const asked = early.durable;
    for (const r of [early, late]) {
      r.note({ lane: "filtering", status: "filtered" });
      r.settle(delivered("b"));
      expect(r.open).toBe(true);
      r.settle(delivered("a"));
      expect(r.open).toBe(false);
    }
    const expected = {
      id: "id-1",
      sequence: 7n,
      ok: true,
      lanes: [{ lane: "filtering", status: "filtered" }, delivered("b"), delivered("a")],
    };
    expect(await asked).toEqual(expected);
    expect(await late.durable).toEqual(expected);
    expect(late.durable).toBe(late.durable);
  });

  it("is not ok when any lane dropped or failed it, and ignores settlements past the last lane", async () => {
    const receipt = new Receipt("id-2", 1n, true, 2);
    receipt.settle(delivered("a"));
    receipt.settle({ lane: "b", status: "dropped", reason: "overflow-oldest" });
    receipt.settle(delivered("c"));
    const report = await receipt.durable;
    expect(report.ok).toBe(false);
    expect(report.lanes.map((l) => l.lane)).toEqual(["a", "b"]);
  });

  it("resolves at once for a refused event, with its error", async () => {
    const error = new KytosEventsError(ErrorCode.MappingInvalid, "bad");
    expect(await new Receipt("", 0n, false, 0, error).durable).toEqual({
      id: "",
      sequence: 0n,
      ok: false,
      lanes: [],
      error,
    });
  });
});
