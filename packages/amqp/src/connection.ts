// One AMQP connection per transport, kept alive. The first connect fails loudly (bad URL,
// wrong credentials, nothing listening); a later loss is recovered in the background with
// the configured backoff. Every new connection after the first — whether the recovery loop or
// a caller made it — runs the reconnect listeners (re-declare topology, reopen consumers)
// before anyone else gets it, so nothing uses a connection whose topology is not rebuilt.
import { BackoffPolicy, sleep } from "@kytos-events/core";
import { type ChannelModel, connect, credentials } from "amqplib";
import type { ResolvedAmqpConfig } from "./config.js";
import { mapConnectError } from "./map-error.js";

export type ReconnectListener = (model: ChannelModel) => Promise<void>;

export class AmqpConnection {
  private model: ChannelModel | undefined;
  private connecting: Promise<ChannelModel> | undefined;
  private readonly listeners = new Set<ReconnectListener>();
  private readonly policy: BackoffPolicy;
  private recovering = false;
  private closed = false;
  /** Increments with every new connection; deliveries of an older one cannot be settled. */
  generation = 0;

  constructor(private readonly config: ResolvedAmqpConfig) {
    this.policy = new BackoffPolicy(config.reconnect);
  }

  get isOpen(): boolean {
    return this.model !== undefined;
  }

  /** The live connection, connecting if there is none; rejects with a KytosEventsError. */
  get(): Promise<ChannelModel> {
    if (this.model) return Promise.resolve(this.model);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Runs `listener` on every new connection after the first; returns an unsubscribe. */
  onReconnect(listener: ReconnectListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    const model = this.model ?? (await this.connecting?.catch(() => undefined));
    this.model = undefined;
    await model?.close().catch(() => {});
  }

  private async open(): Promise<ChannelModel> {
    let model: ChannelModel;
    try {
      const login = this.config.endpoint.login();
      model = await connect(this.config.endpoint.connectUrl(), {
        ...this.config.socketOptions,
        ...(login ? { credentials: credentials.plain(login.username, login.password) } : {}),
      });
    } catch (err) {
      throw mapConnectError(err, this.config.endpoint.safeUrl);
    }
    const log = this.config.logger;
    model.on("error", (err: Error) => log.warn("amqp: connection error", { error: err.message }));
    model.on("blocked", (reason: string) => log.warn("amqp: broker blocked publishing", { reason }));
    model.on("unblocked", () => log.info("amqp: broker unblocked publishing"));
    model.on("close", () => {
      if (this.model === model) this.model = undefined;
      if (!this.closed) void this.recover();
    });
    if (this.closed) {
      await model.close().catch(() => {});
      throw mapConnectError(
        new Error("the transport was closed while connecting"),
        this.config.endpoint.safeUrl,
      );
    }
    this.model = model;
    this.generation++;
    if (this.generation > 1) {
      for (const listener of this.listeners) {
        await listener(model).catch((err: unknown) =>
          log.error("amqp: rebuilding after reconnect failed", { error: (err as Error).message }),
        );
      }
      log.info("amqp: reconnected", { url: this.config.endpoint.safeUrl, connection: this.generation });
    }
    return model;
  }

  private async recover(): Promise<void> {
    if (this.recovering) return;
    this.recovering = true;
    const log = this.config.logger;
    log.warn("amqp: connection lost, reconnecting", { url: this.config.endpoint.safeUrl });
    try {
      for (let attempt = 1; !this.closed && !this.model; attempt++) {
        const delay = this.policy.nextDelay(attempt);
        if (delay === undefined) {
          log.error("amqp: gave up reconnecting; the next send or subscribe tries again", {
            attempts: attempt - 1,
          });
          return;
        }
        await sleep(delay);
        if (this.closed || this.model) return;
        try {
          await this.get();
        } catch (err) {
          log.debug("amqp: reconnect attempt failed", { attempt, error: (err as Error).message });
        }
      }
    } finally {
      this.recovering = false;
    }
  }
}
