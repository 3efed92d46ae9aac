// The registry: exact names and families resolve to their descriptors, keys come out of
// payloads as the schema's key templates say, status events carry what compaction needs.
import { describe, expect, it } from "vitest";
import { ErrorCode, KytosEventsError } from "./errors.js";
import { dpid1, evcId, kytosEventFixtures, linkId } from "./fixtures/index.js";
import { fromKytosJson } from "./mapping/kytos-json.js";
import {
  eventDescriptors,
  findEventDescriptor,
  getEventDescriptor,
  getEventDescriptorByCase,
  isEventName,
} from "./registry.js";

function keyOf(name: string): string {
  const fixture = kytosEventFixtures.find((f) => f.name === name);
  if (!fixture) throw new Error(`no fixture for ${name}`);
  return getEventDescriptor(fixture.name).key(fromKytosJson(fixture.name, fixture.content) as never);
}

describe("event registry", () => {
  it("describes kytos/topology.link_down for routing and compaction", () => {
    const d = getEventDescriptor("kytos/topology.link_down");
    expect(d).toMatchObject({
      name: "kytos/topology.link_down",
      napp: "kytos/topology",
      role: "link_status",
      topic: "kytos.topology",
      highVolume: false,
      payloadCase: "topologyLinkDown",
      keyTemplate: "{link.id}",
      status: { entity: "link", state: "down" },
    });
    expect(d.schema.typeName).toBe("kytos.events.v1.TopologyLinkDown");
  });

  it("extracts keys as the templates say", () => {
    expect(keyOf("kytos/topology.link_down")).toBe(linkId);
    expect(keyOf("kytos/topology.switch.enabled")).toBe(dpid1);
    expect(keyOf("kytos/topology.port.created")).toBe(`${dpid1}:3`);
    expect(keyOf("kytos/mef_eline.deployed")).toBe(evcId);
    expect(keyOf("kytos/of_lldp.liveness.down")).toBe(`${dpid1}:1+00:00:00:00:00:00:00:02:1`);
    expect(keyOf("kytos/core.shutdown.kytos/of_lldp")).toBe("kytos/of_lldp");
    expect(keyOf("kytos/mef_eline.failover_deployed")).toBe("");
  });

  it("keys every fixture of a keyed event with a non-empty key", () => {
    for (const f of kytosEventFixtures) {
      if (getEventDescriptor(f.name).keyTemplate !== "") expect(keyOf(f.name), f.name).not.toBe("");
    }
  });

  it("resolves family members and rejects unknown names", () => {
    expect(findEventDescriptor("kytos/core.shutdown.kytos/topology")?.name).toBe(
      "kytos/core.shutdown.<napp_id>",
    );
    expect(findEventDescriptor("amlight/sdx.loaded")?.name).toBe("<username>/<napp>.loaded");
    expect(findEventDescriptor("kytos.flow_manager.flows.single.delete")?.payloadCase).toBe(
      "flowManagerFlowsSingle",
    );
    expect(findEventDescriptor("kytos/core.shutdown")?.payloadCase).toBe("coreShutdown");
    expect(isEventName("kytos/of_core.v0x04.messages.in.ofpt_packet_in")).toBe(false);
    expect(() => getEventDescriptor("kytos/topology.nope")).toThrowError(KytosEventsError);
    try {
      getEventDescriptor("kytos/topology.nope");
    } catch (err) {
      expect((err as KytosEventsError).code).toBe(ErrorCode.UnknownEventName);
    }
  });

  it("looks events up by payload case, one distinct case per event", () => {
    expect(getEventDescriptorByCase("mefElineDeployed").name).toBe("kytos/mef_eline.deployed");
    expect(new Set(eventDescriptors.map((d) => d.payloadCase)).size).toBe(eventDescriptors.length);
  });

  it("gives a status to link, interface and switch status events that are keyed by one entity", () => {
    for (const d of eventDescriptors) {
      if (d.status) expect(d.keyTemplate, d.name).not.toBe("");
      if (d.status) expect(d.role, d.name).toMatch(/_status$/);
    }
    const linkStates = eventDescriptors
      .filter((d) => d.status?.entity === "link")
      .map((d) => d.status?.state);
    expect(linkStates).toEqual(expect.arrayContaining(["up", "down", "enabled", "disabled", "deleted"]));
  });
});
