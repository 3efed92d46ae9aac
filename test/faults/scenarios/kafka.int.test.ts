// Fault scenarios on a real Kafka this file starts for itself (startKafka: its own process, so
// killing or freezing it disturbs no other test): a producer process at ~3,100 events/s with a
// spool, a consumer process with the Redis idempotency store, and one fault each. See
// scenario.ts for the run, promises.ts for what every scenario must keep.
import { startKafka } from "@kytos-events/brokers";
import { createKafkaTransport } from "@kytos-events/kafka";
import { consumerJoinsAndLeaves } from "./faults.js";
import { describeFaultScenarios } from "./suite.js";

describeFaultScenarios("fault scenarios on Kafka at ~3,100 events/s", {
  async start() {
    const broker = await startKafka();
    return {
      setup: {
        kind: "kafka",
        broker,
        env: () => ({ TRANSPORT: "kafka", KAFKA_BROKERS: broker.brokers.join(",") }),
        async prepare(destination) {
          const admin = createKafkaTransport({ brokers: broker.brokers });
          try {
            await admin.ensureDestinations([{ name: destination, partitions: 3 }]);
          } finally {
            await admin.close();
          }
        },
      },
      destroy: () => broker.destroy(),
    };
  },
  secondConsumer: {
    title: "a second consumer joins the group mid-stream (rebalance), then leaves",
    fault: consumerJoinsAndLeaves,
    // Each member reads only its share of the partitions, so it cannot tell another member's
    // sequences from lost ones (packages/consumer/README.md, gap detection caveats).
    gapEventsExpected: true,
  },
});
