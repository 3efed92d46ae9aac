// Type tests: the event name picks the payload type. `pnpm typecheck` compiles this file, so
// each @ts-expect-error below fails the build if the wrong call ever starts to compile.
import type { EventInit, TopologyLinkDown } from "@kytos-events/schema";
import { describe, expect, expectTypeOf, it } from "vitest";
import { createProducer, type Producer } from "./producer.js";
import type { PublishReceipt } from "./receipt.js";
import { memoryLane } from "./test-support.js";

// Never called: these lines exist for the compiler.
function wrongCalls(producer: Producer): void {
  // @ts-expect-error a link id is a string
  producer.publish("kytos/topology.link_down", { link: { id: 42 } });
  // @ts-expect-error link_down has no field "dpid"
  producer.publish("kytos/topology.link_down", { dpid: "00:00:00:00:00:00:00:01" });
  // @ts-expect-error a switch event's payload is not a link event's
  producer.publish("kytos/topology.switch.enabled", { link: { id: "l1" } });
  // @ts-expect-error not an event name of the schema
  producer.publish("kytos/topology.link_sideways", {});
  const someName: string = "kytos/topology.link_down";
  // @ts-expect-error a plain string is not an EventName: use publishKytos for names known at run time
  producer.publish(someName, {});
}

describe("typed publish", () => {
  it("takes the payload init of the named event and returns a receipt", async () => {
    expectTypeOf<Parameters<typeof correct>[1]>().toEqualTypeOf<EventInit<"kytos/topology.link_down">>();
    const { lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane] });
    const receipt = producer.publish("kytos/topology.link_down", {
      link: { id: "l1" },
      reason: "liveness down",
    });
    expectTypeOf(receipt).toEqualTypeOf<PublishReceipt>();
    expect((await receipt.durable).ok).toBe(true);
    // family names: every concrete name of the family is typed
    expect(
      producer.publish("kytos/core.shutdown.kytos/topology", { nappId: "kytos/topology" }).accepted,
    ).toBe(true);
    await producer.close();
    expect(typeof wrongCalls).toBe("function");
  });

  it("accepts the payload message type itself", () => {
    expectTypeOf<TopologyLinkDown>().toExtend<EventInit<"kytos/topology.link_down">>();
  });
});

function correct(producer: Producer, init: EventInit<"kytos/topology.link_down">): PublishReceipt {
  return producer.publish("kytos/topology.link_down", init);
}
