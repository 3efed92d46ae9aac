import { eventDescriptors } from "@kytos-events/schema";
import { describe, expect, it } from "vitest";
import { Router } from "./router.js";

describe("Router", () => {
  it("sends an event to its NApp destination, the verbose one, and for status events the compacted status one", () => {
    const r = new Router();
    expect(r.route("kytos/topology.link_down", "client")).toEqual([
      "kytos.topology",
      "kytos.events",
      "kytos.status.link",
    ]);
    expect(r.route("kytos/mef_eline.created", "client")).toEqual(["kytos.mef_eline", "kytos.events"]);
    expect(r.route("kytos/topology.link_down", "broker")).toEqual(["kytos.topology"]);
  });

  it("renders templates and can disable the verbose and status destinations", () => {
    const r = new Router({
      nappDestination: "site-a.{napp}",
      verboseDestination: false,
      statusDestination: false,
    });
    expect(r.route("kytos/topology.link_up", "client")).toEqual(["site-a.kytos.topology"]);
  });

  it("describes every destination with partitions, compaction and event prefixes for broker routing", () => {
    const specs = new Router({ partitions: 6 }).destinationSpecs();
    const byName = new Map(specs.map((s) => [s.name, s]));
    expect(byName.get("kytos.events")).toMatchObject({
      partitions: 6,
      compacted: false,
      eventPrefixes: [""],
    });
    expect(byName.get("kytos.topology")?.eventPrefixes).toContain("kytos/topology.link_down");
    expect(byName.get("kytos.status.link")).toMatchObject({ compacted: true });
    expect(byName.get("kytos.status.link")?.eventPrefixes).toContain("kytos/topology.link_down");
    // Under broker routing every event whose name does not start with a placeholder reaches its NApp destination.
    const router = new Router();
    const nappSpecs = new Map(router.destinationSpecs().map((s) => [s.name, s]));
    for (const d of eventDescriptors) {
      if (d.name.startsWith("<")) continue;
      const concrete = d.name.replace(/<[^>]*>/g, "x");
      const [napp] = router.route(concrete, "broker");
      expect(
        nappSpecs.get(napp!)?.eventPrefixes?.some((p) => concrete.startsWith(p)),
        d.name,
      ).toBe(true);
    }
  });

  it("rejects unknown placeholders, invalid rendered names and bad partitions with config errors", () => {
    expect(() => new Router({ nappDestination: "kytos.{nap}" })).toThrow(/\{nap\}/);
    expect(() => new Router({ verboseDestination: "all events!" })).toThrow(/not a valid destination name/);
    expect(() => new Router({ partitions: 0 })).toThrow(/partitions/);
  });

  it("refuses to route a name the schema does not know", () => {
    expect(() => new Router().route("kytos/nope.x", "client")).toThrow(
      expect.objectContaining({ code: "KE_UNKNOWN_EVENT_NAME" }),
    );
  });
});
