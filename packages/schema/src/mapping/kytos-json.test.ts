// The mappers on the real samples from the controller catalog and on a fixture for every event
// type: controller JSON → message → wire bytes → message → controller JSON gives back the same
// JSON; unknown keys survive; missing or mistyped fields are errors that name the field.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../errors.js";
import type { EventName } from "../event-types.js";
import { kytosEventFixtures } from "../fixtures/index.js";
import { EntityStatus } from "../gen/kytos/events/v1/network_pb.js";
import { eventDescriptors, getEventDescriptor } from "../registry.js";
import { readSample } from "../test-support.js";
import { MappingError } from "./json-path.js";
import { fromKytosJson, toKytosJson } from "./kytos-json.js";

/** JSON → message → bytes → message → JSON. */
function roundTrip(name: EventName, content: unknown): unknown {
  const d = getEventDescriptor(name);
  const payload = fromKytosJson(name, content);
  const decoded = fromBinary(d.schema, toBinary(d.schema, payload as never));
  return toKytosJson(name, decoded as never);
}

function mappingError(fn: () => unknown): MappingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MappingError) return err;
    throw err;
  }
  throw new Error("expected a MappingError");
}

describe("real samples from the controller", () => {
  const events = [
    "link_up_event.json",
    "link_down_event.json",
    "interface_down_event.json",
    "maintenance_start_event.json",
    "mef_eline_deployed_event.json",
  ];
  for (const file of events) {
    it(`${file} round-trips unchanged`, () => {
      const sample = readSample(file) as { name: EventName; content: unknown };
      expect(roundTrip(sample.name, sample.content)).toEqual(sample.content);
    });
  }

  it("kafka_events' event_logs record round-trips ({event, message})", () => {
    const record = readSample("kafka_events_record_link_down.json") as { event: EventName; message: unknown };
    expect(roundTrip(record.event, record.message)).toEqual(record.message);
    const payload = fromKytosJson("kytos/topology.link_down", record.message);
    expect(payload.link?.status).toBe(EntityStatus.DOWN);
    expect(payload.link?.endpointB?.speed).toBe(12500000000);
    expect(payload.link?.metadata).toMatchObject({ link_name: "AMPATH-SANJ" });
  });

  it("switch.json round-trips as a kytos/core.switch.new switch", () => {
    const content = { switch: readSample("switch.json") };
    expect(roundTrip("kytos/core.switch.new", content)).toEqual(content);
  });

  it("flow_manager's add_flow_mod_13.json round-trips as a flow install request", () => {
    const content = {
      dpid: "00:00:00:00:00:00:00:01",
      flow_dict: readSample("flow_manager_add_flow_mod_13.json"),
      force: false,
    };
    expect(roundTrip("kytos.flow_manager.flows.install", content)).toEqual(content);
  });
});

describe("fixtures for every event type", () => {
  it("cover every event in the schema", () => {
    const covered = new Set(kytosEventFixtures.map((f) => getEventDescriptor(f.name).name));
    expect(eventDescriptors.map((d) => d.name).filter((n) => !covered.has(n))).toEqual([]);
  });

  for (const fixture of kytosEventFixtures) {
    it(`${fixture.name} round-trips unchanged`, () => {
      expect(roundTrip(fixture.name, fixture.content)).toEqual(fixture.content);
    });
  }
});

describe("what the mapper keeps, fills and rejects", () => {
  type Obj = Record<string, unknown>;
  type LinkDownJson = Obj & { link: Obj & { endpoint_a: Obj } };
  const sample = () => structuredClone(readSample("link_down_event.json").content) as LinkDownJson;

  it("keeps unknown keys at any depth in extra_fields and writes them back", () => {
    const content = sample();
    content.link.endpoint_a.new_attribute = { since: "2027.1" };
    content.trace_id = "abc";
    const payload = fromKytosJson("kytos/topology.link_down", content);
    expect(payload.extraFields).toEqual({ trace_id: "abc" });
    expect(payload.link?.endpointA?.extraFields).toEqual({ new_attribute: { since: "2027.1" } });
    expect(roundTrip("kytos/topology.link_down", content)).toEqual(content);
  });

  it("keeps an enum name it does not know and writes it back", () => {
    const content = sample();
    content.link.status = "MAINTENANCE";
    const payload = fromKytosJson("kytos/topology.link_down", content);
    expect(payload.link?.status).toBe(EntityStatus.UNSPECIFIED);
    expect(roundTrip("kytos/topology.link_down", content)).toEqual(content);
  });

  it("names the path of a missing required field", () => {
    const content = sample();
    delete content.link.endpoint_a.port_number;
    const err = mappingError(() => fromKytosJson("kytos/topology.link_down", content));
    expect(err.code).toBe(ErrorCode.MappingInvalid);
    expect(err.path).toBe("link.endpoint_a.port_number");
    expect(err.message).toContain('field "link.endpoint_a.port_number" is required but missing');
  });

  it("names the path of a mistyped field, inside lists and maps", () => {
    const content = { interfaces: [{}, { id: 1 }], dpid: "x" };
    expect(mappingError(() => fromKytosJson("kytos/of_core.switch.interfaces.created", content)).path).toBe(
      "interfaces[0].id",
    );
    const topo = { topology: { switches: { s1: { id: 7 } }, links: {} } };
    expect(mappingError(() => fromKytosJson("kytos/topology.updated", topo)).path).toBe(
      'topology.switches["s1"].id',
    );
  });

  it("rejects null where the controller never writes null, accepts it where it does", () => {
    const content = sample();
    content.link.endpoint_a.speed = null;
    expect(roundTrip("kytos/topology.link_down", content)).toEqual(content);
    content.link.endpoint_a.mac = null;
    expect(mappingError(() => fromKytosJson("kytos/topology.link_down", content)).path).toBe(
      "link.endpoint_a.mac",
    );
  });

  it("rejects an out-of-range port number", () => {
    const content = sample();
    content.link.endpoint_a.port_number = -1;
    expect(mappingError(() => fromKytosJson("kytos/topology.link_down", content)).message).toContain(
      "integer from 0",
    );
  });

  it("fills a family's placeholders from the concrete name and leaves them out of the JSON", () => {
    const shutdown = fromKytosJson("kytos/core.shutdown.kytos/of_lldp", {});
    expect(shutdown.nappId).toBe("kytos/of_lldp");
    const loaded = fromKytosJson("kytos/mef_eline.loaded", undefined);
    expect([loaded.username, loaded.napp]).toEqual(["kytos", "mef_eline"]);
    expect(toKytosJson("kytos/mef_eline.loaded", loaded)).toEqual({});
  });

  it("inlines the EVC summary and batch maps at the content's top level", () => {
    const deployed = fromKytosJson(
      "kytos/mef_eline.deployed",
      readSample("mef_eline_deployed_event.json").content,
    );
    expect(deployed.evc?.evcId).toBe("1a2b3c4d5e6f40");
    const batch = kytosEventFixtures.find((f) => f.name === "kytos/mef_eline.failover_deployed");
    const payload = fromKytosJson("kytos/mef_eline.failover_deployed", batch?.content);
    expect(Object.keys(payload.evcs)).toEqual(["1a2b3c4d5e6f40"]);
    expect(payload.evcs["1a2b3c4d5e6f40"]?.currentPath[0]?.id).toHaveLength(64);
  });

  it("keeps 64-bit cookies exact as bigint", () => {
    const flow = kytosEventFixtures.find((f) => f.name === "kytos/flow_manager.flow.added");
    const payload = fromKytosJson("kytos/flow_manager.flow.added", flow?.content);
    expect(payload.flow?.cookie).toBe(0xaa00000000000000n);
    payload.flow = { ...payload.flow!, cookie: 0xaa1a2b3c4d5e6f41n };
    const json = toKytosJson("kytos/flow_manager.flow.added", payload) as { flow: { cookie: unknown } };
    expect(json.flow.cookie).toBe(0xaa1a2b3c4d5e6f41n);
  });

  it("refuses a payload of another event's type", () => {
    const up = fromKytosJson("kytos/topology.link_up", readSample("link_up_event.json").content);
    expect(() => toKytosJson("kytos/topology.link_down", up as never)).toThrow(
      /carries kytos.events.v1.TopologyLinkDown/,
    );
  });

  it("rejects content that is not an object", () => {
    expect(mappingError(() => fromKytosJson("kytos/topology.switch.enabled", "00:01")).path).toBe("");
  });
});
