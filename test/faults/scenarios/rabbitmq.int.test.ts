// Fault scenarios on a private RabbitMQ node this file starts for itself (startRabbitMQ: its
// own process on free ports, so killing or freezing it never touches the shared server on
// 5672): a producer process at ~3,100 events/s with a spool, a consumer process with the Redis
// idempotency store on a quorum queue with a single active consumer, and one fault each. See
// scenario.ts for the run, promises.ts for what every scenario must keep.
import { startRabbitMQ } from "@kytos-events/brokers";
import { consumerHandover } from "./faults.js";
import { describeFaultScenarios } from "./suite.js";

describeFaultScenarios("fault scenarios on RabbitMQ at ~3,100 events/s", {
  async start() {
    const node = await startRabbitMQ();
    return {
      setup: {
        kind: "amqp",
        broker: node,
        env: () => ({ TRANSPORT: "amqp", AMQP_URL: node.url, AMQP_EXCHANGE: "kytos.events.faults" }),
        // The consumer declares the group's queue and its binding before the producer starts.
        prepare: async () => {},
      },
      destroy: () => node.destroy(),
    };
  },
  secondConsumer: {
    title: "a second consumer joins the group's queue mid-stream and takes over when the first leaves",
    fault: consumerHandover,
    gapEventsExpected: false,
  },
});
