// @kytos-events/producer: typed, non-blocking publishing of Kytos-ng controller events over
// any kytos-events transport — or several at once, each lane with its own filter and buffer.

export type {
  BatchConfig,
  ErrorContext,
  LaneBufferConfig,
  LaneConfig,
  ProducerConfig,
  ReloadConfig,
} from "./config.js";
export type { LaneDropReason, LaneStats } from "./lane.js";
export type { EncodedEvent } from "./prebuilt.js";
export type { LaneCloseReport, ProducerCloseReport, ProducerStats } from "./producer.js";
export { createProducer, Producer } from "./producer.js";
export type { PublishHook, PublishHookEvent, PublishHookResult } from "./publish-hook.js";
export type { DeliveryReport, LaneDelivery, LaneStatus, PublishReceipt } from "./receipt.js";
export type { FileSequenceStoreOptions, SequenceStore } from "./sequence/sequence-store.js";
export { createFileSequenceStore } from "./sequence/sequence-store.js";
export type { SpoolConfig, SpoolStats } from "./spool/spool.js";
