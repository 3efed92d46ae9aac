// The Prometheus endpoint (`--metrics-port N` / METRICS_PORT): the status table's subscription
// (consumer lag per partition) and the monitor (time to handle each link change) report to one
// PrometheusMetrics, served at http://127.0.0.1:N/metrics.
// Without a port nothing is served and the SDK records nothing (its no-op default).
import { type Metrics, noopMetrics } from "@kytos-events/core";
import { PrometheusMetrics, serveMetrics } from "@kytos-events/prometheus";

export interface MetricsEndpoint {
  readonly metrics: Metrics;
  /** Where the exposition is served; undefined when off. */
  readonly url: string | undefined;
  close(): Promise<void>;
}

/** Rejects with KE_CONFIG_INVALID when the port cannot be listened on. */
export async function openMetricsEndpoint(port: number | undefined): Promise<MetricsEndpoint> {
  if (port === undefined) return { metrics: noopMetrics, url: undefined, close: async () => {} };
  const metrics = new PrometheusMetrics();
  // Loopback only, like the demo: a Prometheus on another host needs a proxy or a tunnel.
  const server = await serveMetrics({ registry: metrics.registry, port, host: "127.0.0.1" });
  return { metrics, url: server.url, close: () => server.close() };
}
