// The core's transport contract, on the real RabbitMQ.
import { describeTransportContract } from "@kytos-events/core/testkit";
import { createAmqpTransport } from "./amqp-transport.js";
import { amqpUrl, TEST_QUEUE_EXPIRES_MS } from "./test-support.js";

describeTransportContract("amqp", {
  // 1 MiB keeps the kit's large-value test quick; the default limit is 16 MiB.
  create: () =>
    createAmqpTransport({
      url: amqpUrl(),
      maxMessageBytes: 1024 * 1024,
      queueExpiresMs: TEST_QUEUE_EXPIRES_MS,
    }),
  // A crashed consumer's channel dies with its TCP connection; the broker requeues its unacked
  // messages exactly as when the channel closes, which is what this does.
  crash: async (subscription) => {
    await subscription.close();
  },
  timeoutMs: 30_000,
});
