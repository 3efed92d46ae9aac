import { eventDescriptors } from "@kytos-events/schema";
import { describe, expect, it } from "vitest";
import { Router, type RoutingConfig } from "./router.js";

/** A concrete name for every registry entry (a family's placeholders filled in). */
const concreteNames = eventDescriptors.map((d) => d.name.replace(/<[^>]*>/g, "x"));

// How a broker-fanout transport can read a prefix: by characters, or by "."-separated words
// with "/" as a separator too (an AMQP topic exchange after "/" → ".").
const byChars = (name: string, prefix: string) => name.startsWith(prefix);
const byWords = (name: string, prefix: string) => {
  const [n, p] = [name.replaceAll("/", "."), prefix.replaceAll("/", ".")];
  if (p === "") return true;
  return p.endsWith(".") ? n.startsWith(p) : n === p || n.startsWith(`${p}.`);
};

describe("Router", () => {
  it("sends an event to its NApp destination, the verbose one, and for status events the compacted status one", () => {
    const r = new Router();
    expect(r.route("kytos/topology.link_down", "client")).toEqual([
      "kytos.topology",
      "kytos.events",
      "kytos.status.link",
    ]);
    expect(r.route("kytos/mef_eline.created", "client")).toEqual(["kytos.mef_eline", "kytos.events"]);
    expect(r.route("kytos/core.switch.new", "client")).toEqual([
      "kytos.core",
      "kytos.events",
      "kytos.status.switch",
    ]);
    expect(r.route("kytos/topology.link_down", "broker")).toEqual(["kytos.topology"]);
    expect(r.route("kytos/core.shutdown.kytos/topology", "client")).toEqual(["kytos.core", "kytos.events"]);
  });

  it("renders every placeholder of the NApp template", () => {
    const first = (config: RoutingConfig, name: string) => new Router(config).route(name, "broker")[0];
    expect(first({ nappDestination: "site-a.{topic}" }, "kytos/topology.link_up")).toBe(
      "site-a.kytos.topology",
    );
    expect(first({ nappDestination: "kytos.{napp}" }, "kytos/mef_eline.created")).toBe("kytos.mef_eline");
    expect(first({ nappDestination: "{username}-{napp}" }, "kytos/of_lldp.liveness.up")).toBe(
      "kytos-of_lldp",
    );
    expect(first({ nappDestination: "by-role.{role}" }, "kytos/topology.link_up")).toBe(
      "by-role.link_status",
    );
    expect(first({ nappDestination: "{role}" }, "kytos/core.shutdown.kytos/topology")).toBe("core");
  });

  it("can disable the verbose and status destinations", () => {
    const r = new Router({ verboseDestination: false, statusDestination: false });
    expect(r.route("kytos/topology.link_up", "client")).toEqual(["kytos.topology"]);
    expect(r.destinationSpecs().map((s) => s.name)).not.toContain("kytos.events");
    expect(r.destinationSpecs().every((s) => !s.compacted)).toBe(true);
  });

  it("describes every destination with partitions, compaction and event prefixes for broker routing", () => {
    const specs = new Router({ partitions: 6, statusPartitions: 2 }).destinationSpecs();
    const byName = new Map(specs.map((s) => [s.name, s]));
    expect(byName.get("kytos.events")).toEqual({
      name: "kytos.events",
      partitions: 6,
      compacted: false,
      eventPrefixes: [""],
    });
    expect(byName.get("kytos.topology")?.eventPrefixes).toContain("kytos/topology.link_down");
    expect(byName.get("kytos.core")?.eventPrefixes).toContain("kytos/core.shutdown");
    expect(byName.get("kytos.core")?.eventPrefixes).not.toContain("kytos/core.shutdown."); // covered
    expect(byName.get("kytos.status.link")).toMatchObject({ compacted: true, partitions: 2 });
    expect(byName.get("kytos.status.link")?.eventPrefixes).toEqual(
      expect.arrayContaining(["kytos/topology.link_down", "kytos/of_lldp.liveness.up"]),
    );
    expect([...byName.keys()].sort()).toEqual(
      [
        ...new Set(eventDescriptors.map((d) => d.topic)),
        "kytos.events",
        "kytos.status.interface",
        "kytos.status.link",
        "kytos.status.switch",
      ].sort(),
    );
  });

  it("gives broker fanout the same destinations as client fanout, whether prefixes are read by characters or by words", () => {
    for (const config of [{}, { nappDestination: "{role}" }, { nappDestination: "x.{napp}" }]) {
      const router = new Router(config);
      const specs = router.destinationSpecs();
      for (const name of concreteNames) {
        const expected = [...router.route(name, "client")].sort();
        // A family whose name starts with a placeholder has no fixed prefix to bind its NApp
        // destination by: under broker fanout it reaches the verbose destination only.
        const placeholderFirst = name.startsWith("x/");
        for (const matches of [byChars, byWords]) {
          const reached = specs
            .filter((s) => s.eventPrefixes?.some((p) => matches(name, p)))
            .map((s) => s.name)
            .sort();
          expect(reached, `${name} in ${JSON.stringify(config)}`).toEqual(
            placeholderFirst ? ["kytos.events"] : expected,
          );
        }
      }
    }
  });

  it("rejects unknown placeholders, invalid names, clashing destinations and bad partitions with config errors", () => {
    const configError = (config: RoutingConfig, message: RegExp) =>
      expect(() => new Router(config)).toThrow(
        expect.objectContaining({ code: "KE_CONFIG_INVALID", message: expect.stringMatching(message) }),
      );
    configError({ nappDestination: "{name}" }, /uses \{name\}/);
    configError(
      { nappDestination: "kytos.{nap}" },
      /uses \{nap\}; allowed placeholders: \{topic\}, \{username\}, \{napp\}, \{role\}\./,
    );
    configError({ verboseDestination: "all events!" }, /not a valid destination name/);
    configError({ verboseDestination: "kytos.{topic}" }, /allowed placeholders: none/);
    configError({ nappDestination: "" }, /nappDestination must be a non-empty string/);
    configError({ nappDestination: 5 as never }, /got 5/);
    configError({ statusDestination: "{entity}/x" }, /renders "link\/x"/);
    configError({ statusDestination: "kytos.topology" }, /"kytos.topology" would be both a compacted/);
    configError({ partitions: 0 }, /partitions must be a positive integer/);
    configError({ statusPartitions: 1.5 }, /statusPartitions/);
  });

  it("refuses to route a name the schema does not know", () => {
    expect(() => new Router().route("kytos/nope.x", "client")).toThrow(
      expect.objectContaining({
        code: "KE_UNKNOWN_EVENT_NAME",
        message: expect.stringContaining("kytos/nope.x"),
      }),
    );
  });

  it("routes any number of a family's concrete names the same way", () => {
    const r = new Router();
    for (let i = 0; i < 3000; i++) {
      expect(r.route(`kytos.flow_manager.flows.single.cmd${i}`, "client")).toEqual([
        "kytos.flow_manager",
        "kytos.events",
      ]);
    }
  });
});
