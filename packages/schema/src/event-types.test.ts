// Consumer-side typing: a handler registered by event name receives that event's payload type,
// with no casts — including a family's concrete names — and envelope payloads narrow by case.
import { create } from "@bufbuild/protobuf";
import { describe, expectTypeOf, it } from "vitest";
import type { EventInit, EventName, EventPayload } from "./event-types.js";
import type { CoreNappShutdown } from "./gen/kytos/events/v1/core_pb.js";
import { type Envelope, EnvelopeSchema } from "./gen/kytos/events/v1/envelope_pb.js";
import type { Interface, Link } from "./gen/kytos/events/v1/network_pb.js";
import type { TopologyLinkDown, TopologyLinkUp } from "./gen/kytos/events/v1/topology_pb.js";
import { TopologyLinkDownSchema } from "./gen/kytos/events/v1/topology_pb.js";

/** What a consumer's typed subscription looks like. */
function on<N extends EventName>(_name: N, _handler: (e: EventPayload<N>) => void): void {}

/** What a producer's typed publish looks like. */
function publish<N extends EventName>(_name: N, _payload: EventInit<N>): void {}

describe("event types", () => {
  it("narrows the handler's payload by event name", () => {
    on("kytos/topology.link_down", (e) => {
      expectTypeOf(e).toEqualTypeOf<TopologyLinkDown>();
      expectTypeOf(e.link).toEqualTypeOf<Link | undefined>();
      expectTypeOf(e.reason).toEqualTypeOf<string>();
    });
    on("kytos/topology.interface.down", (e) => {
      expectTypeOf(e.interface).toEqualTypeOf<Interface | undefined>();
    });
  });

  it("types every concrete name of a family", () => {
    on("kytos/core.shutdown.kytos/of_lldp", (e) => {
      expectTypeOf(e).toEqualTypeOf<CoreNappShutdown>();
      expectTypeOf(e.nappId).toEqualTypeOf<string>();
    });
    expectTypeOf<"kytos/mef_eline.loaded">().toExtend<EventName>();
  });

  it("rejects names without a schema and payloads of another event", () => {
    // @ts-expect-error not an event name
    on("kytos/topology.link_sideways", () => {});
    // @ts-expect-error a link_up payload is not a link_down payload
    expectTypeOf<TopologyLinkUp>().toEqualTypeOf<EventPayload<"kytos/topology.link_down">>();
    publish("kytos/topology.link_down", { reason: "liveness down", link: { id: "abc" } });
    // @ts-expect-error reason must be a string
    publish("kytos/topology.link_down", { reason: 5 });
  });

  it("narrows an envelope's payload by case", () => {
    const env: Envelope = create(EnvelopeSchema, {
      payload: { case: "topologyLinkDown", value: create(TopologyLinkDownSchema) },
    });
    if (env.payload.case === "topologyLinkDown")
      expectTypeOf(env.payload.value).toEqualTypeOf<TopologyLinkDown>();
    expectTypeOf(env.sequence).toEqualTypeOf<bigint>();
  });
});
