// @kytos-events/consumer: typed handlers over any kytos-events transport, with the delivery
// rules owned by the SDK (idempotency, at-least-once settlement, key-ordered concurrency,
// retries and dead letters, gap detection) and live status tables built from the compacted
// status streams. Stores that need a server live in the ./redis and ./postgres subpaths.
export type { ConsumerConfig, ConsumerRetryConfig } from "./config.js";
export type { ConsumerState, ConsumerStats, StopOptions, StopReport } from "./consumer.js";
export { Consumer, createConsumer } from "./consumer.js";
export type {
  DeadLetter,
  EventHandler,
  HandlerContext,
  KytosEvent,
  KytosEventOf,
  UnknownEvent,
  UnknownEventHandler,
} from "./event.js";
export type { GapDetectionConfig, GapEvent } from "./gap-detector.js";
export type { AroundHandler, HandlerRunInfo } from "./handler-hook.js";
export type { BootstrapSignal } from "./status/bootstrap-watch.js";
export type {
  StatusChange,
  StatusChangeListener,
  StatusEntry,
  StatusTableConfig,
  StatusTableStats,
} from "./status/status-table.js";
export {
  InterfaceStatusTable,
  LinkStatusTable,
  StatusTable,
  SwitchStatusTable,
} from "./status/status-table.js";
