// The consumer's extension point around each handler run: `aroundHandler(info, run)` is given the
// record's destination and headers and the event's identity, and must call `run()` once and
// return (or throw) what it does. An OpenTelemetry adapter starts a process span from the trace
// context in the headers and runs the handlers inside it. Unset, it costs nothing. A hook that
// returns without running the handlers fails the event as a throwing handler would (retried,
// then dead-lettered), so no event is ever taken as handled when its handlers did not run.
import { ErrorCode, KytosEventsError } from "@kytos-events/core";

/** One handler run, as an `aroundHandler` hook sees it. */
export interface HandlerRunInfo {
  /** The envelope id. */
  readonly id: string;
  /** The event name. */
  readonly type: string;
  /** The envelope key ("" when the event has none). */
  readonly key: string;
  readonly source: string;
  readonly sequence: bigint;
  /** The destination (topic, queue) the record came from. */
  readonly destination: string;
  /** The record's headers, as sent (trace context travels here). */
  readonly headers: Readonly<Record<string, string>>;
  /** As in HandlerContext: 1 on the first run in this process, 2 after one failure, … */
  readonly attempt: number;
  /** The consumer group. */
  readonly group: string;
  /** The transport kind: "kafka", "amqp", "memory". */
  readonly transport: string;
  /** Bytes of the record's value (the encoded envelope). */
  readonly bodySize: number;
}

/** Wraps the run of an event's handlers; must call `run` once and settle with its outcome. */
export type AroundHandler = (info: HandlerRunInfo, run: () => Promise<void>) => Promise<void>;

/** Runs `run` through the hook; a second call of `run` gets the first call's promise (handlers run once). */
export async function runAroundHandler(
  hook: AroundHandler,
  info: HandlerRunInfo,
  run: () => Promise<void>,
): Promise<void> {
  let running: Promise<void> | undefined;
  await hook(info, () => {
    running ??= run();
    return running;
  });
  if (running === undefined) {
    throw new KytosEventsError(
      ErrorCode.HandlerFailed,
      `consumer: aroundHandler returned without calling run() for event ${info.id} (${info.type}); ` +
        "the handlers did not run. A hook must call run() once and return or throw its result.",
    );
  }
  // A hook that called run() without awaiting it must not let the event count as handled early.
  await running;
}
