// Publishing with publisher confirms on one confirm channel: every message is persistent and
// `mandatory`; a publication resolves only when the broker confirmed it; a message the broker
// returned as unroutable is a non-retriable failure of that message; a lost channel or
// connection fails every unconfirmed message as retriable (the caller resends them in order).
// Flow control: the channel's write buffer is respected (wait for "drain") and at most
// `maxUnconfirmed` messages are awaiting confirms, so nothing buffers without bound.
import { ErrorCode, KytosEventsError } from "@kytos-events/core";
import type { ConfirmChannel, ConsumeMessage, Options } from "amqplib";
import type { AmqpConnection } from "./connection.js";

export interface Publication {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish;
}

/** Per publication: no error = confirmed by the broker. */
export interface PublishOutcome {
  readonly error?: KytosEventsError;
  readonly retriable: boolean;
}

const CONFIRMED: PublishOutcome = { retriable: false };

export class Publisher {
  private channel: ConfirmChannel | undefined;
  private opening: Promise<ConfirmChannel> | undefined;
  // Returned (unroutable) messages, by the message id we gave them; the broker sends
  // basic.return before the confirm of the same message, so the confirm callback can look.
  private readonly returned = new Set<string>();
  private nextId = 0;
  private outstanding = 0;
  private roomWaiters: (() => void)[] = [];
  private readonly drainWaits = new WeakMap<ConfirmChannel, Promise<void>>();

  constructor(
    private readonly connection: AmqpConnection,
    private readonly maxUnconfirmed: number,
  ) {}

  /** Publishes in order and resolves with one outcome per publication, never rejects. */
  async publish(items: readonly Publication[], signal?: AbortSignal): Promise<PublishOutcome[]> {
    let channel: ConfirmChannel;
    try {
      channel = await this.getChannel();
    } catch (err) {
      const error = unavailable(err);
      return items.map(() => ({ error, retriable: true }));
    }
    const outcomes: Promise<PublishOutcome>[] = [];
    for (const item of items) {
      if (signal?.aborted || this.channel !== channel) {
        // Aborted, or the channel died under us: the rest never left this process.
        const error = signal?.aborted ? aborted(signal) : unavailable(new Error("channel closed"));
        outcomes.push(Promise.resolve({ error, retriable: true }));
        continue;
      }
      while (this.outstanding >= this.maxUnconfirmed && this.channel === channel) {
        await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      }
      const { outcome, writable } = this.publishOne(channel, item);
      outcomes.push(outcome);
      if (!writable) await this.drained(channel);
    }
    return signal ? settleOrAbort(outcomes, signal) : Promise.all(outcomes);
  }

  /** Waits for every unconfirmed message, then closes the channel. */
  async close(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    if (channel) {
      await channel.waitForConfirms().catch(() => {});
      await channel.close().catch(() => {});
    }
  }

  private publishOne(
    channel: ConfirmChannel,
    item: Publication,
  ): { outcome: Promise<PublishOutcome>; writable: boolean } {
    const messageId = `ke-${++this.nextId}`;
    let writable = true;
    this.outstanding++;
    const outcome = new Promise<PublishOutcome>((resolve) => {
      const done = (result: PublishOutcome) => {
        this.outstanding--;
        this.wakeRoom();
        resolve(result);
      };
      try {
        writable = channel.publish(
          item.exchange,
          item.routingKey,
          item.content,
          { ...item.options, messageId, persistent: true, mandatory: true },
          (err: unknown) => {
            if (err) return done({ error: unavailable(err), retriable: true });
            if (this.returned.delete(messageId)) return done({ error: unroutable(item), retriable: false });
            done(CONFIRMED);
          },
        );
      } catch (err) {
        // amqplib throws synchronously for a message it cannot encode (RangeError: headers over
        // 64 KiB) — sending it again cannot help — and for a channel already closed — it can.
        const bad = err instanceof RangeError || err instanceof TypeError;
        done(
          bad
            ? {
                error: new KytosEventsError(
                  ErrorCode.SendRejected,
                  `the message for routing key "${item.routingKey}" cannot be encoded: ${(err as Error).message}`,
                  { cause: err },
                ),
                retriable: false,
              }
            : { error: unavailable(err), retriable: true },
        );
      }
    });
    return { outcome, writable };
  }

  // Every sender blocked on a full write buffer shares one wait (one listener pair), so many
  // concurrent sends never pile listeners onto the channel.
  private drained(channel: ConfirmChannel): Promise<void> {
    let waiting = this.drainWaits.get(channel);
    if (!waiting) {
      waiting = new Promise<void>((resolve) => {
        const done = () => {
          channel.off("drain", done);
          channel.off("close", done);
          this.drainWaits.delete(channel);
          resolve();
        };
        channel.on("drain", done);
        channel.on("close", done);
      });
      this.drainWaits.set(channel, waiting);
    }
    return waiting;
  }

  private getChannel(): Promise<ConfirmChannel> {
    if (this.channel) return Promise.resolve(this.channel);
    this.opening ??= (async () => {
      const model = await this.connection.get();
      const channel = await model.createConfirmChannel();
      channel.on("return", (msg: ConsumeMessage) => {
        const id = msg.properties.messageId as string | undefined;
        if (id) this.returned.add(id);
      });
      // A channel error also closes it; "close" does the bookkeeping.
      channel.on("error", () => {});
      channel.on("close", () => {
        if (this.channel === channel) this.channel = undefined;
        // amqplib failed every unconfirmed callback before this listener ran.
        this.returned.clear();
        this.wakeRoom();
      });
      this.channel = channel;
      return channel;
    })().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private wakeRoom(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }
}

/** All outcomes, or on abort those known so far and "fate unknown" for the rest. */
async function settleOrAbort(
  outcomes: readonly Promise<PublishOutcome>[],
  signal: AbortSignal,
): Promise<PublishOutcome[]> {
  const known: (PublishOutcome | undefined)[] = outcomes.map(() => undefined);
  outcomes.forEach((o, i) => {
    void o.then((v) => {
      known[i] = v;
    });
  });
  let onAbort = () => {};
  const abort = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  const all = await Promise.race([Promise.all(outcomes), abort]);
  signal.removeEventListener("abort", onAbort);
  if (all) return all;
  await new Promise((resolve) => setImmediate(resolve)); // let settled outcomes land in `known`
  const error = new KytosEventsError(
    ErrorCode.Closed,
    "the send was aborted while the broker had not confirmed this message: it may or may not be stored.",
    { cause: signal.reason },
  );
  return known.map((k) => k ?? { error, retriable: true });
}

function unavailable(err: unknown): KytosEventsError {
  if (err instanceof KytosEventsError) return err;
  return new KytosEventsError(
    ErrorCode.TransportUnavailable,
    `RabbitMQ did not confirm the message (${(err as Error)?.message ?? String(err)}); it can be sent again.`,
    { cause: err },
  );
}

function aborted(signal: AbortSignal): KytosEventsError {
  return new KytosEventsError(ErrorCode.Closed, "the send was aborted before this message was published.", {
    cause: signal.reason,
  });
}

function unroutable(item: Publication): KytosEventsError {
  return new KytosEventsError(
    ErrorCode.SendRejected,
    `RabbitMQ returned the message as unroutable: no queue is bound for routing key "${item.routingKey}" ` +
      `on exchange "${item.exchange || "(default)"}". Subscribe a group to its destination (which declares ` +
      "and binds the group's queue) before publishing.",
  );
}
