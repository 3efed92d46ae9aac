import { describeTransportContract } from "../testkit/index.js";
import { createMemoryTransport } from "./memory-transport.js";

describeTransportContract("memory", {
  create: () => createMemoryTransport(),
  // In process, a crash and a close look the same to the broker: the member is gone.
  crash: async (subscription) => {
    await subscription.close();
  },
  timeoutMs: 5_000,
  quietMs: 100,
});
