// One AMQP connection per transport, kept alive: when the broker goes away it reconnects with
// backoff and tells the publisher and the subscriptions to rebuild their channels and
// topology. The first connect fails loudly (bad URL, wrong credentials, nothing listening);
// later losses are recovered in the background.
import { BackoffPolicy, sleep } from "@kytos-events/core";
import { type ChannelModel, connect } from "amqplib";
import type { ResolvedAmqpConfig } from "./config.js";
import { mapConnectError } from "./map-error.js";

export type ReconnectListener = (model: ChannelModel) => Promise<void>;

export class AmqpConnection {
  private model: ChannelModel | undefined;
  private connecting: Promise<ChannelModel> | undefined;
  private readonly listeners = new Set<ReconnectListener>();
  private readonly policy: BackoffPolicy;
  private closed = false;
  /** Increments on every new connection; records delivered on an older one cannot be settled. */
  generation = 0;

  constructor(private readonly config: ResolvedAmqpConfig) {
    this.policy = new BackoffPolicy(config.reconnect);
  }

  get isOpen(): boolean {
    return this.model !== undefined;
  }

  /** The live connection; the first call connects once and throws a clear error on failure. */
  get(): Promise<ChannelModel> {
    if (this.model) return Promise.resolve(this.model);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  onReconnect(listener: ReconnectListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    const model = this.model;
    this.model = undefined;
    await model?.close().catch(() => {});
  }

  private async open(): Promise<ChannelModel> {
    let model: ChannelModel;
    try {
      model = await connect(this.config.url, this.config.socketOptions);
    } catch (err) {
      throw mapConnectError(err, this.config.safeUrl);
    }
    this.model = model;
    this.generation++;
    model.on("error", (err: Error) =>
      this.config.logger.warn("amqp: connection error", { error: err.message }),
    );
    model.on("close", () => {
      if (this.model === model) this.model = undefined;
      if (!this.closed) void this.recover();
    });
    model.on("blocked", (reason: string) =>
      this.config.logger.warn("amqp: broker blocked publishing", { reason }),
    );
    return model;
  }

  private async recover(): Promise<void> {
    this.config.logger.warn("amqp: connection lost, reconnecting", { url: this.config.safeUrl });
    for (let attempt = 1; !this.closed; attempt++) {
      await sleep(this.policy.nextDelay(attempt) ?? 5000);
      if (this.closed || this.model) return;
      try {
        const model = await this.get();
        for (const listener of this.listeners) {
          await listener(model).catch((err: unknown) =>
            this.config.logger.error("amqp: rebuilding after reconnect failed", {
              error: (err as Error).message,
            }),
          );
        }
        this.config.logger.info("amqp: reconnected", { url: this.config.safeUrl, attempt });
        return;
      } catch {
        // still down; keep backing off
      }
    }
  }
}
