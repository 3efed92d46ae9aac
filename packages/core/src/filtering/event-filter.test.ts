import { describe, expect, it } from "vitest";
import { EventFilter } from "./event-filter.js";

describe("EventFilter", () => {
  it("allows everything by default", () => {
    expect(new EventFilter().accepts("kytos/topology.link_up")).toBe(true);
  });

  it("matches whole names, lets deny win over allow", () => {
    const f = new EventFilter({
      allow: ["kytos/topology\\..*", "kytos/mef_eline\\..*"],
      deny: [".*metadata.*"],
    });
    expect(f.accepts("kytos/topology.link_down")).toBe(true);
    expect(f.accepts("kytos/mef_eline.created")).toBe(true);
    expect(f.accepts("kytos/topology.links.metadata.added")).toBe(false);
    expect(f.accepts("kytos/of_core.switch.port.created")).toBe(false);
    expect(new EventFilter({ allow: ["link"] }).accepts("kytos/topology.link_up")).toBe(false);
  });

  it("rejects a bad pattern at construction with an error naming the list, index and pattern", () => {
    expect(
      () => new EventFilter({ allow: ["kytos/topology\\..*"], deny: ["ok", "kytos/(unclosed"] }),
    ).toThrow(
      expect.objectContaining({
        code: "KE_FILTER_PATTERN_INVALID",
        message: expect.stringContaining('deny[1] "kytos/(unclosed"'),
      }),
    );
    expect(() => new EventFilter({ allow: [""] })).toThrow(/allow\[0\]/);
  });

  it("gives the same answer from its cache as on first evaluation", () => {
    const f = new EventFilter({ deny: ["kytos/topology\\.link_up"] });
    for (let i = 0; i < 3; i++) {
      expect(f.accepts("kytos/topology.link_up")).toBe(false);
      expect(f.accepts("kytos/topology.link_down")).toBe(true);
    }
  });
});
