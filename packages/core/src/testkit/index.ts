// @kytos-events/core/testkit: the transport contract as a vitest suite, and the collector it
// uses, for transport packages' tests.
export { Collector } from "./collector.js";
export type { TransportContractOptions } from "./transport-contract.js";
export { describeTransportContract } from "./transport-contract.js";
