// What the transport declares on the broker, idempotently: the durable topic exchange events
// are routed through, a direct exchange for destination-addressed copies (dead letters,
// records without an event type), per-subscription queues with their bindings, dead-letter
// queues, and retry delay queues. A queue that exists with other arguments is a clear error.
import { type DestinationSpec, ErrorCode, KytosEventsError } from "@kytos-events/core";
import type { Channel, ChannelModel, Options } from "amqplib";
import type { ResolvedAmqpConfig } from "./config.js";
import { isPreconditionFailed } from "./map-error.js";
import { bindingsOf } from "./routing-keys.js";

export const directExchangeOf = (exchange: string) => `${exchange}.direct`;
export const dlqOf = (destination: string, configured: string | undefined) =>
  configured ?? `${destination}.dlq`;

/** Runs declarations on a short-lived channel: a failed declaration closes its channel. */
export async function declare<T>(model: ChannelModel, work: (ch: Channel) => Promise<T>): Promise<T> {
  const ch = await model.createChannel();
  ch.on("error", () => {});
  try {
    return await work(ch);
  } finally {
    await ch.close().catch(() => {});
  }
}

export async function declareExchanges(ch: Channel, config: ResolvedAmqpConfig): Promise<void> {
  await ch.assertExchange(config.exchange, "topic", { durable: true });
  await ch.assertExchange(directExchangeOf(config.exchange), "direct", { durable: true });
}

export function queueArguments(
  config: ResolvedAmqpConfig,
  deadLetterKey: string | undefined,
): Options.AssertQueue {
  const args: Record<string, unknown> = { "x-queue-type": config.queueType };
  if (deadLetterKey !== undefined) {
    args["x-dead-letter-exchange"] = directExchangeOf(config.exchange);
    args["x-dead-letter-routing-key"] = deadLetterKey;
    if (config.queueType === "quorum") args["x-delivery-limit"] = config.deliveryLimit;
  }
  if (config.singleActiveConsumer) args["x-single-active-consumer"] = true;
  return { durable: true, arguments: args };
}

export async function assertQueue(
  model: ChannelModel,
  name: string,
  options: Options.AssertQueue,
): Promise<void> {
  try {
    await declare(model, (ch) => ch.assertQueue(name, options));
  } catch (err) {
    if (isPreconditionFailed(err)) {
      throw new KytosEventsError(
        ErrorCode.TopologyConflict,
        `queue "${name}" already exists with different arguments (${(err as Error).message.replace(/^.*PRECONDITION_FAILED - /, "")}). ` +
          "Delete it or configure the same queue type and limits.",
        { cause: err },
      );
    }
    throw err;
  }
}

/** Declares a subscription's queue for one destination, bound by event prefixes and by name. */
export async function declareSubscriptionQueue(
  model: ChannelModel,
  config: ResolvedAmqpConfig,
  queue: string,
  spec: DestinationSpec,
  deadLetterKey: string,
): Promise<void> {
  // The dead-letter queue exists before anything can be dead-lettered into it, so a dead
  // letter is never unroutable even when nobody reads the DLQ yet.
  await assertQueue(model, deadLetterKey, queueArguments(config, undefined));
  await declare(model, (ch) => ch.bindQueue(deadLetterKey, directExchangeOf(config.exchange), deadLetterKey));
  await assertQueue(model, queue, queueArguments(config, deadLetterKey));
  await declare(model, async (ch) => {
    for (const prefix of spec.eventPrefixes ?? []) {
      for (const pattern of bindingsOf(prefix)) await ch.bindQueue(queue, config.exchange, pattern);
    }
    await ch.bindQueue(queue, directExchangeOf(config.exchange), spec.name);
  });
}

/** A classic queue whose messages wait `expiration` ms and then dead-letter back into `queue`. */
export async function declareDelayQueue(model: ChannelModel, queue: string): Promise<string> {
  const delay = `${queue}.delay`;
  await assertQueue(model, delay, {
    durable: true,
    arguments: {
      "x-queue-type": "classic",
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": queue,
    },
  });
  return delay;
}
