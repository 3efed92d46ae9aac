// Publishing with publisher confirms: every message is `mandatory` and persistent, a send
// resolves only when the broker confirmed each message, a message the broker returned as
// unroutable is a failure for that message, and the channel's write buffer is respected
// (wait for "drain" instead of buffering without bound).
import { ErrorCode, KytosEventsError } from "@kytos-events/core";
import type { ConfirmChannel, Options } from "amqplib";
import type { AmqpConnection } from "./connection.js";

export interface Publication {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish;
}

export interface PublishOutcome {
  readonly error?: KytosEventsError;
  readonly retriable: boolean;
}

export class Publisher {
  private channel: ConfirmChannel | undefined;
  private opening: Promise<ConfirmChannel> | undefined;
  private readonly returned = new Set<string>();
  private nextId = 0;
  private outstanding = 0;
  private roomWaiters: (() => void)[] = [];

  constructor(
    private readonly connection: AmqpConnection,
    private readonly maxUnconfirmed: number,
  ) {
    connection.onReconnect(async () => {
      this.channel = undefined;
    });
  }

  async publish(items: readonly Publication[]): Promise<PublishOutcome[]> {
    let channel: ConfirmChannel;
    try {
      channel = await this.getChannel();
    } catch (err) {
      const error = err instanceof KytosEventsError ? err : unavailable(err);
      return items.map(() => ({ error, retriable: true }));
    }
    const confirms: Promise<PublishOutcome>[] = [];
    for (const item of items) {
      while (this.outstanding >= this.maxUnconfirmed) {
        await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      }
      const messageId = item.options.messageId ?? `ke-${++this.nextId}`;
      this.outstanding++;
      let writable = true;
      confirms.push(
        new Promise<PublishOutcome>((resolve) => {
          try {
            writable = channel.publish(
              item.exchange,
              item.routingKey,
              item.content,
              { ...item.options, messageId, persistent: true, mandatory: true },
              (err: unknown) => {
                this.outstanding--;
                this.wakeRoom();
                if (err) return resolve({ error: unavailable(err), retriable: true });
                if (this.returned.delete(messageId)) {
                  return resolve({
                    retriable: false,
                    error: new KytosEventsError(
                      ErrorCode.SendRejected,
                      `no queue is bound for routing key "${item.routingKey}" on "${item.exchange || "(default)"}": ` +
                        "the message was returned. Start a consumer for this destination (its queue) before publishing.",
                    ),
                  });
                }
                resolve({ retriable: false });
              },
            );
          } catch (err) {
            this.outstanding--;
            resolve({ error: unavailable(err), retriable: true });
          }
        }),
      );
      if (!writable) await new Promise<void>((resolve) => channel.once("drain", () => resolve()));
    }
    return Promise.all(confirms);
  }

  async close(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    if (channel) {
      await channel.waitForConfirms().catch(() => {});
      await channel.close().catch(() => {});
    }
  }

  private getChannel(): Promise<ConfirmChannel> {
    if (this.channel) return Promise.resolve(this.channel);
    this.opening ??= (async () => {
      const model = await this.connection.get();
      const channel = await model.createConfirmChannel();
      channel.on("return", (msg) => {
        const id = msg.properties.messageId as string | undefined;
        if (id) this.returned.add(id);
      });
      channel.on("error", () => {});
      channel.on("close", () => {
        if (this.channel === channel) this.channel = undefined;
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

function unavailable(err: unknown): KytosEventsError {
  return new KytosEventsError(
    ErrorCode.TransportUnavailable,
    `RabbitMQ did not confirm the message (${(err as Error)?.message ?? err}); it can be sent again.`,
    { cause: err },
  );
}
