// @kytos-events/producer as a controller-side bridge sees it: `publish` takes an event name of
// the schema and exactly that event's payload; names known only at run time go through
// `publishKytos`. Each @ts-expect-error fails this file if the wrong call ever compiles.
import { createMemoryTransport } from "@kytos-events/core";
import { createProducer, type Producer, type PublishReceipt } from "@kytos-events/producer";
import type { EventInit, TopologyLinkDown } from "@kytos-events/schema";
import { assertType, type Equal } from "./expect-type.js";

const producer: Producer = createProducer({
  source: "ctl-1",
  lanes: [{ name: "memory", transport: createMemoryTransport() }],
});

export const receipt: PublishReceipt = producer.publish("kytos/topology.link_down", {
  link: { id: "l1" },
  reason: "liveness down",
});
// A family's concrete names are typed too.
producer.publish("kytos/core.shutdown.kytos/topology", { nappId: "kytos/topology" });
// The payload message itself is a valid init.
declare const message: TopologyLinkDown;
producer.publish("kytos/topology.link_down", message);

type PublishInit = Parameters<typeof producer.publish<"kytos/topology.link_down">>[1];
assertType<Equal<PublishInit, EventInit<"kytos/topology.link_down">>>();

// @ts-expect-error a link id is a string
producer.publish("kytos/topology.link_down", { link: { id: 42 } });
// @ts-expect-error link_down has no field "dpid"
producer.publish("kytos/topology.link_down", { dpid: "00:00:00:00:00:00:00:01" });
// @ts-expect-error a switch event's payload is not a link event's
producer.publish("kytos/topology.switch.enabled", { link: { id: "l1" } });
// @ts-expect-error not an event name of the schema
producer.publish("kytos/topology.link_sideways", {});
const someName: string = "kytos/topology.link_down";
// @ts-expect-error a plain string is not an EventName: publishKytos takes names known at run time
producer.publish(someName, {});
