// @kytos-events/consumer as an application sees it: `on(name)` hands the handler that event's
// payload, `on("prefix*")` a union that narrows by `event.name`, and handlers cannot read
// fields the event does not have.

import { type Consumer, createConsumer, type KytosEvent } from "@kytos-events/consumer";
import { createMemoryTransport } from "@kytos-events/core";
import type {
  EventName,
  TopologyLinkDown,
  TopologyLinkUp,
  TopologySwitchEnabled,
} from "@kytos-events/schema";
import { assertType, type Equal } from "./expect-type.js";

const consumer: Consumer = createConsumer({ transport: createMemoryTransport(), group: "type-tests" });

consumer.on("kytos/topology.link_down", (event, context) => {
  assertType<Equal<typeof event.payload, TopologyLinkDown>>();
  assertType<Equal<typeof event.name, "kytos/topology.link_down">>();
  assertType<Equal<typeof context.attempt, number>>();
  // @ts-expect-error link_down has no dpid
  event.payload.dpid;
});

// A prefix hands a union of the NApp's events; checking the name narrows the payload.
consumer.on("kytos/topology.*", (event) => {
  if (event.name === "kytos/topology.link_up") {
    assertType<Equal<typeof event.payload, TopologyLinkUp>>();
  } else if (event.name === "kytos/topology.switch.enabled") {
    assertType<Equal<typeof event.payload, TopologySwitchEnabled>>();
  }
  // @ts-expect-error not narrowed: other topology events have no link
  event.payload.link;
});

// "*" takes every event.
consumer.on("*", (event) => {
  assertType<Equal<typeof event.name, EventName>>();
});

// @ts-expect-error not an event name of the schema, nor a prefix pattern
consumer.on("kytos/topology.link_sideways", () => {});
// @ts-expect-error a link_down handler does not take a switch event
consumer.on("kytos/topology.link_down", (_event: KytosEvent<"kytos/topology.switch.enabled">) => {});
