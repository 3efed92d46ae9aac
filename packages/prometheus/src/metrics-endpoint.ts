// The scrape endpoint on node:http: a request listener for an existing server, or a small
// server of its own. Answers GET (and HEAD) with the registry's exposition in the registry's
// content type (text format 0.0.4 for a default Registry); closing it ends kept-alive
// connections too, so a process can exit at once.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ErrorCode, KytosEventsError } from "@kytos-events/core";
import type { AnyRegistry } from "./prometheus-metrics.js";

/** Serves `registry` on every request it is given (route it yourself, e.g. to /metrics). */
export function metricsHandler(registry: AnyRegistry): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("method not allowed: GET /metrics\n");
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { "content-type": registry.contentType });
        res.end(req.method === "HEAD" ? undefined : text);
      },
      (err: unknown) => {
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(`collecting metrics failed: ${(err as Error).message}\n`);
      },
    );
  };
}

export interface ServeMetricsOptions {
  /** What to expose: `PrometheusMetrics#registry`, or any prom-client registry. */
  readonly registry: AnyRegistry;
  /** Default 9464 (the port OpenTelemetry's Prometheus exporter uses); 0 picks a free one. */
  readonly port?: number;
  /** Default "0.0.0.0" (every interface, for a Prometheus elsewhere); "127.0.0.1" keeps it local. */
  readonly host?: string;
  /** Default "/metrics"; other paths answer 404. */
  readonly path?: string;
}

export interface MetricsServer {
  /** e.g. "http://127.0.0.1:9464/metrics" (the bound address and port). */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes open connections; resolves when the server is closed. */
  close(): Promise<void>;
}

/** Starts an HTTP server for the exposition; rejects with KE_CONFIG_INVALID if it cannot listen (port taken, bad host). */
export async function serveMetrics(options: ServeMetricsOptions): Promise<MetricsServer> {
  const path = options.path ?? "/metrics";
  const host = options.host ?? "0.0.0.0";
  const port = options.port ?? 9464;
  const handle = metricsHandler(options.registry);
  const server = createServer((req, res) => {
    if (new URL(req.url ?? "/", "http://x").pathname === path) return handle(req, res);
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    res.end(`not found: the metrics are at ${path}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) =>
      reject(
        new KytosEventsError(
          ErrorCode.ConfigInvalid,
          `cannot serve metrics on ${host}:${port}: ${err.message}`,
          {
            cause: err,
          },
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${bound}${path}`,
    port: bound,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
