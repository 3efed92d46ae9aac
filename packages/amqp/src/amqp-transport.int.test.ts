import { describeTransportContract } from "@kytos-events/core/testkit";
import { createAmqpTransport } from "./amqp-transport.js";

describeTransportContract("amqp", {
  create: () => createAmqpTransport({ url: process.env.AMQP_URL!, maxMessageBytes: 1024 * 1024 }),
  // A crashed consumer's channel dies with its TCP connection; the broker requeues unacked
  // messages exactly as for a closed channel, which is what this does.
  crash: async (subscription) => {
    await subscription.close();
  },
  timeoutMs: 30_000,
});
