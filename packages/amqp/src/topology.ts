// What the transport declares on the broker, idempotently: the durable topic exchange events
// are routed through, a direct exchange for destination-addressed copies (dead letters,
// records without an event type), per-subscription queues with their bindings, dead-letter
// queues and retry delay queues. Declarations run on short-lived channels because a refused
// declaration (PRECONDITION_FAILED) closes its channel; that refusal becomes a
// TopologyConflict naming the queue or exchange and the argument that differs.
import { type DestinationSpec, ErrorCode, KytosEventsError } from "@kytos-events/core";
import type { Channel, ChannelModel, Options } from "amqplib";
import type { ResolvedAmqpConfig } from "./config.js";
import { isPreconditionFailed } from "./map-error.js";
import { bindingOf } from "./routing-keys.js";

export const directExchangeOf = (exchange: string): string => `${exchange}.direct`;

/** Runs declarations on a channel of their own, closed afterwards whatever happens. */
export async function declare<T>(model: ChannelModel, work: (ch: Channel) => Promise<T>): Promise<T> {
  const ch = await model.createChannel();
  ch.on("error", () => {}); // the failed operation's promise carries the error
  try {
    return await work(ch);
  } finally {
    await ch.close().catch(() => {});
  }
}

function conflict(kind: "queue" | "exchange", name: string, err: unknown): KytosEventsError {
  // RabbitMQ says e.g. "inequivalent arg 'x-queue-type' for queue 'g.d' in vhost '/': received
  // 'classic' but current is 'quorum'" — the argument and both values; keep that part.
  const detail = ((err as Error).message ?? "").replace(/^.*PRECONDITION_FAILED - /, "").replace(/"$/, "");
  return new KytosEventsError(
    ErrorCode.TopologyConflict,
    `${kind} "${name}" already exists with different settings (${detail}). Delete it, or configure ` +
      `this transport with the ${kind}'s existing settings (queueType, deliveryLimit, queueExpiresMs, singleActiveConsumer).`,
    { cause: err },
  );
}

export async function assertQueue(ch: Channel, name: string, options: Options.AssertQueue): Promise<void> {
  try {
    await ch.assertQueue(name, options);
  } catch (err) {
    throw isPreconditionFailed(err) ? conflict("queue", name, err) : err;
  }
}

export async function assertExchange(
  ch: Channel,
  name: string,
  type: "topic" | "direct" | "headers",
  options: Options.AssertExchange = {},
): Promise<void> {
  try {
    await ch.assertExchange(name, type, { durable: true, ...options });
  } catch (err) {
    throw isPreconditionFailed(err) ? conflict("exchange", name, err) : err;
  }
}

export async function declareExchanges(ch: Channel, config: ResolvedAmqpConfig): Promise<void> {
  await assertExchange(ch, config.exchange, "topic");
  await assertExchange(ch, directExchangeOf(config.exchange), "direct");
}

/** Arguments of a consumer queue, and of a dead-letter queue when `deadLetterKey` is absent. */
export function queueArguments(
  config: ResolvedAmqpConfig,
  deadLetterKey: string | undefined,
): Options.AssertQueue {
  const args: Record<string, unknown> = { "x-queue-type": config.queueType };
  if (deadLetterKey !== undefined) {
    args["x-dead-letter-exchange"] = directExchangeOf(config.exchange);
    args["x-dead-letter-routing-key"] = deadLetterKey;
    // The poison guard: a message redelivered this often (crashing consumers) is dead-lettered.
    if (config.queueType === "quorum") args["x-delivery-limit"] = config.deliveryLimit;
    if (config.singleActiveConsumer) args["x-single-active-consumer"] = true;
  }
  if (config.queueExpiresMs !== undefined) args["x-expires"] = config.queueExpiresMs;
  return { durable: true, arguments: args };
}

/**
 * Declares a subscription's queue for one destination: its dead-letter queue first (so a dead
 * letter is never unroutable, even before anyone reads the DLQ), then the queue, bound by the
 * destination's event prefixes on the topic exchange and by its name on the direct exchange.
 */
export async function declareSubscriptionQueue(
  model: ChannelModel,
  config: ResolvedAmqpConfig,
  queue: string,
  spec: DestinationSpec,
  deadLetterQueue: string,
): Promise<void> {
  const direct = directExchangeOf(config.exchange);
  await declare(model, async (ch) => {
    await assertQueue(ch, deadLetterQueue, queueArguments(config, undefined));
    await ch.bindQueue(deadLetterQueue, direct, deadLetterQueue);
    await assertQueue(ch, queue, queueArguments(config, deadLetterQueue));
    for (const pattern of new Set((spec.eventPrefixes ?? []).map(bindingOf))) {
      await ch.bindQueue(queue, config.exchange, pattern);
    }
    await ch.bindQueue(queue, direct, spec.name);
  });
}

/**
 * Retry delays go through classic queues with a queue-wide TTL that dead-letter back into the
 * consumer queue. One queue per power-of-two delay (rounded up, so a retry never comes early)
 * keeps every message in a delay queue the same TTL: with per-message TTLs in one queue, a
 * long delay at the head would hold back shorter ones behind it. Unused delay queues expire.
 */
export function delayBucketMs(delayMs: number): number {
  return 2 ** Math.max(4, Math.ceil(Math.log2(Math.max(1, delayMs))));
}

/** Declares (again: that keeps it from expiring) the delay queue for `delayMs`; returns its name. */
export async function declareDelayQueue(
  model: ChannelModel,
  queue: string,
  delayMs: number,
): Promise<string> {
  const bucket = delayBucketMs(delayMs);
  const name = `${queue}.delay.${bucket}`;
  await declare(model, (ch) =>
    assertQueue(ch, name, {
      durable: true,
      arguments: {
        "x-queue-type": "classic",
        "x-message-ttl": bucket,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": queue,
        // Declared on every retry, so it expires only when no retry used it for this long —
        // always after its last message has gone back.
        "x-expires": bucket + 10 * 60_000,
      },
    }),
  );
  return name;
}
