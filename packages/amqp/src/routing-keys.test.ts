import { describe, expect, it } from "vitest";
import { bindingOf, fitsRoutingKey, matchesPrefix, routingKeyOf } from "./routing-keys.js";

describe("routingKeyOf", () => {
  it("turns the NApp's slash into a word separator", () => {
    expect(routingKeyOf("kytos/topology.link_down")).toBe("kytos.topology.link_down");
    expect(routingKeyOf("kytos/of_core.v0x04.messages.in.ofpt_port_status")).toBe(
      "kytos.of_core.v0x04.messages.in.ofpt_port_status",
    );
  });

  it("leaves names without a slash as they are", () => {
    expect(routingKeyOf("kytos.flow_manager.flows.install")).toBe("kytos.flow_manager.flows.install");
    expect(routingKeyOf("topology.interruption.start")).toBe("topology.interruption.start");
  });

  it("percent-encodes the topic wildcards and the escape character itself", () => {
    expect(routingKeyOf("a/*.#")).toBe("a.%2A.%23");
    expect(routingKeyOf("a/100%.x")).toBe("a.100%25.x");
    // Distinct names stay distinct once escaped.
    expect(routingKeyOf("a/%2A")).not.toBe(routingKeyOf("a/*"));
  });
});

describe("bindingOf", () => {
  it("binds everything for the empty prefix (the verbose destination)", () => {
    expect(bindingOf("")).toBe("#");
  });

  it("binds a NApp's events for a prefix ending in a separator", () => {
    expect(bindingOf("kytos/topology.")).toBe("kytos.topology.#");
    expect(bindingOf("kytos/core.shutdown.")).toBe("kytos.core.shutdown.#");
    expect(bindingOf("kytos/")).toBe("kytos.#");
  });

  it("binds an exact name and the names extending it by whole words", () => {
    expect(bindingOf("kytos/topology.link_down")).toBe("kytos.topology.link_down.#");
  });

  it("matches wildcard characters in a prefix literally", () => {
    expect(bindingOf("odd/*.")).toBe("odd.%2A.#");
  });
});

describe("matchesPrefix (the producer's view of the broker's bindings)", () => {
  it("matches whole words, like a topic binding", () => {
    expect(matchesPrefix("kytos/topology.link_down", "kytos/topology.")).toBe(true);
    expect(matchesPrefix("kytos/topology.link_down", "kytos/topology.link_down")).toBe(true);
    expect(matchesPrefix("kytos/core.shutdown.kytos/of_core", "kytos/core.shutdown")).toBe(true);
    expect(matchesPrefix("kytos/topology.link_down", "kytos/topology.link")).toBe(false);
    expect(matchesPrefix("kytos/topology.link_up", "kytos/topology.link_down")).toBe(false);
    expect(matchesPrefix("anything/at.all", "")).toBe(true);
  });
});

describe("fitsRoutingKey", () => {
  it("accepts up to 255 bytes and refuses more, counting UTF-8 bytes", () => {
    expect(fitsRoutingKey("a".repeat(255))).toBe(true);
    expect(fitsRoutingKey("a".repeat(256))).toBe(false);
    expect(fitsRoutingKey("é".repeat(127))).toBe(true); // 254 bytes
    expect(fitsRoutingKey("é".repeat(128))).toBe(false); // 256 bytes
  });
});
