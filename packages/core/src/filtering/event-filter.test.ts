import { describe, expect, it } from "vitest";
import { EventFilter } from "./event-filter.js";

describe("EventFilter", () => {
  it("allows everything by default", () => {
    expect(new EventFilter().accepts("kytos/topology.link_up")).toBe(true);
    expect(new EventFilter({ allow: [], deny: [] }).accepts("anything/at.all")).toBe(true);
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
    // Anchored: a fragment matches nothing, on either list.
    expect(new EventFilter({ allow: ["link"] }).accepts("kytos/topology.link_up")).toBe(false);
    expect(new EventFilter({ deny: ["link"] }).accepts("kytos/topology.link_up")).toBe(true);
    // Alternation stays inside the anchors.
    expect(new EventFilter({ allow: ["a|kytos/topology\\.link_up"] }).accepts("kytos/topology.link_up")).toBe(
      true,
    );
    expect(new EventFilter({ allow: ["a|b"] }).accepts("ab")).toBe(false);
  });

  it("rejects a bad pattern at construction with an error naming the list, index, pattern and the engine's reason", () => {
    let error: unknown;
    try {
      new EventFilter({ allow: ["kytos/topology\\..*"], deny: ["ok", "kytos/(unclosed"] });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: "KE_FILTER_PATTERN_INVALID" });
    expect((error as Error).message).toContain('deny[1] "kytos/(unclosed"');
    expect((error as Error).message).toMatch(/Unterminated group/);
    expect(() => new EventFilter({ allow: [""] })).toThrow(/allow\[0\]/);
    expect(() => new EventFilter({ allow: [42 as never] })).toThrow(/allow\[0\].*got 42/);
  });

  it("refuses a pattern that is only valid once wrapped in the anchors", () => {
    expect(() => new EventFilter({ deny: ["x)|(.*"] })).toThrow(
      expect.objectContaining({
        code: "KE_FILTER_PATTERN_INVALID",
        message: expect.stringContaining("deny[0]"),
      }),
    );
  });

  it("refuses a list given as a single string (a common config mistake)", () => {
    expect(() => new EventFilter({ allow: "kytos/.*" as never })).toThrow(
      expect.objectContaining({
        code: "KE_FILTER_PATTERN_INVALID",
        message: expect.stringContaining("filter allow must be a list"),
      }),
    );
  });

  it("gives the same answer from its cache as on first evaluation, past the cache limit too", () => {
    const f = new EventFilter({ deny: ["kytos/topology\\.link_up", "unknown/n\\.[0-9]*5"] });
    for (let round = 0; round < 2; round++) {
      expect(f.accepts("kytos/topology.link_up")).toBe(false);
      expect(f.accepts("kytos/topology.link_down")).toBe(true);
      for (let i = 0; i < 5000; i++) expect(f.accepts(`unknown/n.${i}`)).toBe(i % 10 !== 5);
    }
  });

  it("points out patterns that match no known event", () => {
    const f = new EventFilter({
      allow: [
        "kytos/topolgy\\..*",
        "kytos/core\\.shutdown\\..+",
        "kytos\\.flow_manager\\.flows\\.single\\.cmd",
      ],
      deny: ["kytos/mef_eline\\.created", "nothing/here"],
    });
    expect(f.patternsMatchingNothing()).toEqual([
      { list: "allow", index: 0, pattern: "kytos/topolgy\\..*" },
      { list: "deny", index: 1, pattern: "nothing/here" },
    ]);
  });
});
