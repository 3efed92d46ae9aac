// @kytos-events/prometheus: the producer's, consumer's and transports' metrics in Prometheus
// (prom-client), and a /metrics endpoint to scrape them.
export { DEFAULT_LATENCY_BUCKETS_MS } from "./buckets.js";
export {
  type MetricsServer,
  metricsHandler,
  type ServeMetricsOptions,
  serveMetrics,
} from "./metrics-endpoint.js";
export { type AnyRegistry, PrometheusMetrics, type PrometheusMetricsOptions } from "./prometheus-metrics.js";
export { prometheusName } from "./prometheus-name.js";
