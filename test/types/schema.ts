// @kytos-events/schema as users see it: event names are a closed set (with family templates),
// a name picks its payload message, the envelope's oneof narrows by case, and wrong payloads
// do not compile. Each @ts-expect-error fails this file if the wrong line ever compiles.
import {
  type Envelope,
  type EventInit,
  type EventName,
  type EventPayload,
  getEventDescriptor,
  getEventDescriptorByCase,
  isEventName,
  type PayloadCase,
  type TopologyLinkDown,
  type TopologySwitchEnabled,
} from "@kytos-events/schema";
import { assertType, type Equal } from "./expect-type.js";

// A name picks its payload message.
assertType<Equal<EventPayload<"kytos/topology.link_down">, TopologyLinkDown>>();
assertType<Equal<EventPayload<"kytos/topology.switch.enabled">, TopologySwitchEnabled>>();

// Names are a closed set; a family contributes every concrete name.
export const exact: EventName = "kytos/topology.link_down";
export const family: EventName = "kytos/core.shutdown.kytos/topology";
// @ts-expect-error not an event of the schema
export const unknown: EventName = "kytos/topology.link_sideways";
const someName: string = "kytos/topology.link_down";
// @ts-expect-error a plain string is not an EventName until checked
export const unchecked: EventName = someName;
export const checked: EventName | undefined = isEventName(someName) ? someName : undefined;

// Payload init shapes follow the message.
export const init: EventInit<"kytos/topology.link_down"> = { link: { id: "l1" }, reason: "liveness down" };
// @ts-expect-error a link id is a string
export const badId: EventInit<"kytos/topology.link_down"> = { link: { id: 42 } };
// @ts-expect-error link_down has no field "dpid"
export const badField: EventInit<"kytos/topology.link_down"> = { dpid: "00:00:00:00:00:00:00:01" };

// The descriptor of a name keys its own payload only.
const linkDown = getEventDescriptor("kytos/topology.link_down");
declare const received: TopologyLinkDown;
export const key: string = linkDown.key(received);
// @ts-expect-error a switch payload is not a link_down payload
linkDown.key({} as TopologySwitchEnabled);

// The envelope payload narrows by case.
export function linkOf(envelope: Envelope): string | undefined {
  const payload = envelope.payload;
  if (payload.case === "topologyLinkDown") {
    assertType<Equal<typeof payload.value, TopologyLinkDown>>();
    return payload.value.link?.id;
  }
  // @ts-expect-error not narrowed: the payload may be unset or another event's
  return payload.value.link?.id;
}

// Payload cases and names are linked both ways.
const byCase = getEventDescriptorByCase("topologyLinkDown");
assertType<Equal<Parameters<typeof byCase.key>[0], TopologyLinkDown>>();
export const someCase: PayloadCase = "topologySwitchEnabled";
// @ts-expect-error cases are camelCase field names of the envelope's oneof
export const badCase: PayloadCase = "topology_link_down";
