// The bridge: one producer (one lane on the configured transport, with the configured filter,
// routing and buffer) fed by the HTTP endpoint and, when configured, by kafka_events' topic.
// `reload` re-reads the configuration file (SIGHUP): everything is validated first and a bad
// file changes nothing; filters, routing, buffer and body limit apply to the next event; new
// transport settings open a new connection and close the old one after its events are sent;
// a changed eventLogs section restarts that ingest. `source` and `listen` need a restart.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { EventFilter, type Logger, type Metrics, noopMetrics, type Transport } from "@kytos-events/core";
import type { OtelTracing } from "@kytos-events/otel";
import {
  createProducer,
  type LaneConfig,
  type Producer,
  type ProducerCloseReport,
} from "@kytos-events/producer";
import { type BridgeConfig, loadBridgeConfig } from "./bridge-config.js";
import { EventLogsIngest } from "./event-logs-ingest.js";
import { httpIngest } from "./http-ingest.js";
import { type PublishOutcome, publishControllerEvent } from "./publish-outcome.js";
import { createEventLogsTransport, createOutputTransport, sameTransport } from "./transports.js";

const LANE = "output";

/** What the bridge reports to, besides /healthz. */
export interface BridgeObservability {
  /** The producer's and the event_logs ingest's metrics. Default: nowhere. */
  readonly metrics?: Metrics;
  /** A send span per published event and lane, its context in the records' headers. Default: untraced. */
  readonly tracing?: OtelTracing;
}

export class Bridge {
  readonly producer: Producer;
  private readonly server: Server;
  private transport: Transport;
  private ingest: EventLogsIngest | undefined;
  private reloads = 0;
  private lastReloadError: string | undefined;
  private loadedAt = new Date();
  private filter: EventFilter;

  private readonly metrics: Metrics;

  private constructor(
    readonly file: string,
    private config: BridgeConfig,
    private readonly logger: Logger,
    observability: BridgeObservability,
  ) {
    this.metrics = observability.metrics ?? noopMetrics;
    this.transport = createOutputTransport(config.transport, logger);
    this.producer = createProducer({
      source: config.source,
      lanes: [this.lane(config, this.transport)],
      logger,
      metrics: this.metrics,
      ...(observability.tracing ? { onPublish: observability.tracing.onPublish } : {}),
      onError: (error, context) => {
        if (context.phase !== "publish")
          logger.error(`${context.phase}: ${error.message}`, { lane: context.lane });
      },
    });
    this.filter = new EventFilter(config.filter);
    this.server = createServer(httpIngest(this));
    // A malformed request line or headers: answer 400 and close, never throw.
    this.server.on("clientError", (_err, socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
      else socket.destroy();
    });
    this.warnAboutFilter();
  }

  /** Reads the configuration, starts the producer, listens, and starts the event_logs ingest. */
  static async start(file: string, logger: Logger, observability: BridgeObservability = {}): Promise<Bridge> {
    const bridge = new Bridge(file, await loadBridgeConfig(file), logger, observability);
    try {
      bridge.server.listen(bridge.config.listen.port, bridge.config.listen.host);
      await once(bridge.server, "listening");
    } catch (err) {
      await bridge.producer.close({ timeoutMs: 0 });
      throw err;
    }
    bridge.startIngest(bridge.config);
    return bridge;
  }

  /** Filters and publishes one controller event; never throws, never waits for the broker. */
  readonly publish = (name: string, content: unknown): Promise<PublishOutcome> =>
    publishControllerEvent(this.producer, this.filter, name, content);

  get maxBodyBytes(): number {
    return this.config.maxBodyBytes;
  }

  get url(): string {
    const address = this.server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  health(): { ok: boolean; body: unknown } {
    const stats = this.producer.stats();
    const lane = stats.lanes.find((l) => l.name === LANE);
    const ingest = this.ingest?.stats();
    const ok = lane?.ready === true && (ingest === undefined || ingest.running);
    return {
      ok,
      body: {
        status: ok ? "ok" : "unavailable",
        source: stats.source,
        sequence: stats.sequence.toString(),
        output: lane,
        refused: stats.refused,
        ...(ingest ? { eventLogs: ingest } : {}),
        config: {
          file: this.file,
          loadedAt: this.loadedAt.toISOString(),
          reloads: this.reloads,
          ...(this.lastReloadError ? { lastReloadError: this.lastReloadError } : {}),
        },
      },
    };
  }

  /** Re-reads the file. Never throws: a refused reload is logged and kept in /healthz. */
  async reload(): Promise<boolean> {
    let next: BridgeConfig;
    try {
      next = await loadBridgeConfig(this.file);
    } catch (err) {
      return this.refuse((err as Error).message);
    }
    const current = this.config;
    if (next.source !== current.source || JSON.stringify(next.listen) !== JSON.stringify(current.listen)) {
      this.logger.warn(
        "reload: source and listen take effect only after a restart; keeping the current ones",
      );
      next = { ...next, source: current.source, listen: current.listen };
    }
    const keep = sameTransport(next.transport, current.transport);
    const transport = keep ? this.transport : createOutputTransport(next.transport, this.logger);
    try {
      this.producer.reload({ lanes: [this.lane(next, transport)] });
    } catch (err) {
      if (!keep) await transport.close().catch(() => {});
      return this.refuse((err as Error).message);
    }
    this.transport = transport;
    this.config = next;
    this.filter = new EventFilter(next.filter);
    this.warnAboutFilter();
    if (JSON.stringify(next.eventLogs) !== JSON.stringify(current.eventLogs)) {
      await this.ingest?.stop();
      this.ingest = undefined;
      this.startIngest(next);
    }
    this.reloads++;
    this.loadedAt = new Date();
    this.lastReloadError = undefined;
    this.logger.info(`reloaded ${this.file}${keep ? "" : " (new output connection)"}`);
    return true;
  }

  /** Stops taking events, stops the ingest, and sends what the producer holds within `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<ProducerCloseReport> {
    const closed = new Promise((resolve) => this.server.close(resolve));
    this.server.closeIdleConnections();
    await this.ingest?.stop();
    const report = await this.producer.close({ timeoutMs });
    this.server.closeAllConnections();
    await closed;
    return report;
  }

  private lane(config: BridgeConfig, transport: Transport): LaneConfig {
    return { name: LANE, transport, filter: config.filter, routing: config.routing, buffer: config.buffer };
  }

  private startIngest(config: BridgeConfig): void {
    const c = config.eventLogs;
    if (!c) return;
    this.ingest = new EventLogsIngest(
      c,
      createEventLogsTransport(c.brokers, this.logger),
      this.publish,
      this.logger,
      this.metrics,
    );
    this.ingest.start();
  }

  private refuse(reason: string): boolean {
    this.lastReloadError = reason;
    this.logger.error(`reload refused, the current configuration stays: ${reason}`);
    return false;
  }

  private warnAboutFilter(): void {
    for (const p of this.filter.patternsMatchingNothing()) {
      this.logger.warn(
        `filter.${p.list}[${p.index}] "${p.pattern}" matches no event the schema knows (a typo?)`,
      );
    }
  }
}
