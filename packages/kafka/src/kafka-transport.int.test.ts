import { describeTransportContract } from "@kytos-events/core/testkit";
import type { KafkaSubscription } from "./kafka-subscription.js";
import { createKafkaTransport } from "./kafka-transport.js";

describeTransportContract("kafka", {
  create: () => createKafkaTransport({ brokers: process.env.KAFKA_BROKERS! }),
  crash: async (subscription) => {
    await (subscription as KafkaSubscription).kill();
  },
  timeoutMs: 60_000,
});
