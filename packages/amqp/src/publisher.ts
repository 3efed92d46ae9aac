// Publishing with publisher confirms on one confirm channel: every message is persistent and
// `mandatory`; a publication resolves only when the broker confirmed it; a message the broker
// returned as unroutable is a non-retriable failure of that message; a lost channel or
// connection fails every unconfirmed message as retriable (the caller resends them in order).
// A message over the broker's own max_message_size makes RabbitMQ close the channel: that
// message (and any other over the limit) is a non-retriable MessageTooLarge naming its size
// and the limit, the others on the channel are published once more on a fresh one, and the
// limit is remembered so later oversized messages are refused before they cost a channel.
// A publish the user may not make (no write permission on the exchange) also closes the
// channel: messages for that exchange fail as non-retriable AuthorizationFailed naming it, the
// others are published again, once.
// Flow control: the channel's write buffer is respected (wait for "drain") and at most
// `maxUnconfirmed` messages are awaiting confirms, so nothing buffers without bound.
import { ErrorCode, KytosEventsError } from "@kytos-events/core";
import type { ConfirmChannel, ConsumeMessage, Options } from "amqplib";
import type { AmqpConnection } from "./connection.js";
import { isRetriableConnectFailure } from "./map-error.js";

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

/** The outcomes of one `publish` call, filled in as confirms arrive; one promise for all of them. */
class Outcomes {
  readonly known: (PublishOutcome | undefined)[];
  readonly all: Promise<PublishOutcome[]>;
  private remaining: number;
  private resolve!: (outcomes: PublishOutcome[]) => void;

  constructor(count: number) {
    this.known = new Array(count);
    this.remaining = count;
    this.all = new Promise((resolve) => {
      this.resolve = resolve;
    });
    if (count === 0) this.resolve([]);
  }

  set(index: number, outcome: PublishOutcome): void {
    this.known[index] = outcome;
    if (--this.remaining === 0) this.resolve(this.known as PublishOutcome[]);
  }
}

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
  // Why the broker closed a channel, when it refused a message for good (size, permission).
  private readonly refusals = new WeakMap<ConfirmChannel, Refusal>();
  /** Counts refusals, so a publish call can tell whether one happened during it. */
  private refusalCount = 0;
  /** The broker's max_message_size, once a refusal has shown it. */
  private brokerMaxBytes: number | undefined;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly maxUnconfirmed: number,
  ) {}

  /** Publishes in order and resolves with one outcome per publication, never rejects. */
  async publish(items: readonly Publication[], signal?: AbortSignal): Promise<PublishOutcome[]> {
    const before = this.refusalCount;
    const outcomes = await this.publishOnce(items, signal);
    // The broker just refused a message for good and closed the channel under the rest: those
    // did nothing wrong, so they go once more (in order) on a fresh channel.
    if (this.refusalCount === before || signal?.aborted) return outcomes;
    const again = outcomes.flatMap((o, i) => (o.error && o.retriable ? [i] : []));
    if (again.length === 0) return outcomes;
    const retried = await this.publishOnce(
      again.map((i) => items[i]!),
      signal,
    );
    again.forEach((index, k) => {
      outcomes[index] = retried[k]!;
    });
    return outcomes;
  }

  private async publishOnce(items: readonly Publication[], signal?: AbortSignal): Promise<PublishOutcome[]> {
    let channel: ConfirmChannel;
    try {
      channel = await this.getChannel();
    } catch (err) {
      const error = unavailable(err);
      return items.map(() => ({ error, retriable: isRetriableConnectFailure(error) }));
    }
    const outcomes = new Outcomes(items.length);
    for (let index = 0; index < items.length; index++) {
      if (signal?.aborted || this.channel !== channel) {
        // Aborted, or the channel died under us: the rest never left this process.
        const error = signal?.aborted ? aborted(signal) : unavailable(new Error("channel closed"));
        outcomes.set(index, { error, retriable: true });
        continue;
      }
      const size = items[index]!.content.byteLength;
      if (this.brokerMaxBytes !== undefined && size > this.brokerMaxBytes) {
        outcomes.set(index, { error: tooLarge(size, this.brokerMaxBytes), retriable: false });
        continue;
      }
      while (this.outstanding >= this.maxUnconfirmed && this.channel === channel) {
        await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      }
      if (!this.publishOne(channel, items[index]!, outcomes, index)) await this.drained(channel);
    }
    return signal ? settleOrAbort(outcomes, signal) : outcomes.all;
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

  /** Publishes one message; its outcome lands in `outcomes[index]`. False when the write buffer is full. */
  private publishOne(channel: ConfirmChannel, item: Publication, outcomes: Outcomes, index: number): boolean {
    const messageId = `ke-${++this.nextId}`;
    this.outstanding++;
    const done = (result: PublishOutcome) => {
      this.outstanding--;
      this.wakeRoom();
      outcomes.set(index, result);
    };
    try {
      return channel.publish(
        item.exchange,
        item.routingKey,
        item.content,
        { ...item.options, messageId, persistent: true, mandatory: true },
        (err: unknown) => {
          if (err) {
            const refused = refusalOf(this.refusals.get(channel), item);
            return done(
              refused ? { error: refused, retriable: false } : { error: unavailable(err), retriable: true },
            );
          }
          if (this.returned.size > 0 && this.returned.delete(messageId)) {
            return done({ error: unroutable(item), retriable: false });
          }
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
      return true;
    }
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
      // A channel error also closes it; "close" does the bookkeeping. amqplib emits "error"
      // before it fails the unconfirmed callbacks, so they can see a size refusal.
      channel.on("error", (err: unknown) => {
        const refusal = parseRefusal(err);
        if (!refusal) return;
        this.refusals.set(channel, refusal);
        this.refusalCount++;
        if (refusal.kind === "size") {
          this.brokerMaxBytes = Math.min(refusal.maxBytes, this.brokerMaxBytes ?? Number.POSITIVE_INFINITY);
        }
      });
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
    // Called on every confirm: nothing to allocate when no sender waits for room.
    if (this.roomWaiters.length === 0) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }
}

/** All outcomes, or on abort those known so far and "fate unknown" for the rest. */
async function settleOrAbort(outcomes: Outcomes, signal: AbortSignal): Promise<PublishOutcome[]> {
  let onAbort = () => {};
  const abort = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  const all = await Promise.race([outcomes.all, abort]);
  signal.removeEventListener("abort", onAbort);
  if (all) return all;
  await new Promise((resolve) => setImmediate(resolve)); // let confirms already read land
  const error = new KytosEventsError(
    ErrorCode.Closed,
    "the send was aborted while the broker had not confirmed this message: it may or may not be stored.",
    { cause: signal.reason },
  );
  // Array.from, not map: unsettled entries are holes, which map would skip.
  return Array.from(outcomes.known, (k) => k ?? { error, retriable: true });
}

/** Why the broker closed a channel, when no resend of the same message can help. */
type Refusal =
  | { readonly kind: "size"; readonly maxBytes: number }
  | { readonly kind: "access"; readonly exchange: string; readonly reason: string };

// RabbitMQ's words (3.8 to 4.x): "PRECONDITION_FAILED - message size 2000 is larger than
// configured max size 1024", and "ACCESS_REFUSED - access to exchange 'x' in vhost '/'
// refused for user 'u'" (3.10; some versions say "write access").
const SIZE_REFUSAL = /message size (\d+) is larger than (?:configured )?max size (\d+)/;
const ACCESS_REFUSAL =
  /ACCESS_REFUSED - ((?:write )?access to exchange '([^']*)' in vhost '[^']*' refused for user '[^']*')/;
/ACCESS_REFUSED - (write access to exchange '([^']*)' in vhost '[^']*' refused for user '[^']*')/;

function parseRefusal(err: unknown): Refusal | undefined {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof e.message !== "string") return undefined;
  const size = e.code === 406 ? SIZE_REFUSAL.exec(e.message) : null;
  if (size) return { kind: "size", maxBytes: Number(size[2]) };
  const access = e.code === 403 ? ACCESS_REFUSAL.exec(e.message) : null;
  if (access) return { kind: "access", exchange: access[2]!, reason: access[1]! };
  return undefined;
}

/** The error for `item` if the channel's refusal was about it. */
function refusalOf(refusal: Refusal | undefined, item: Publication): KytosEventsError | undefined {
  if (refusal?.kind === "size" && item.content.byteLength > refusal.maxBytes) {
    return tooLarge(item.content.byteLength, refusal.maxBytes);
  }
  if (refusal?.kind === "access" && item.exchange === refusal.exchange) {
    return new KytosEventsError(
      ErrorCode.AuthorizationFailed,
      `RabbitMQ refused the publish: ${refusal.reason}. Grant the user write permission on the exchange ` +
        "(rabbitmqctl set_permissions).",
    );
  }
  return undefined;
}

function tooLarge(size: number, maxBytes: number): KytosEventsError {
  return new KytosEventsError(
    ErrorCode.MessageTooLarge,
    `RabbitMQ refuses a ${size}-byte message: its max_message_size is ${maxBytes} bytes. ` +
      "Raise max_message_size on the broker, or set the transport's maxMessageBytes at or below it.",
  );
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
