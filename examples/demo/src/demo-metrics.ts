// The demo's Prometheus endpoint (`--metrics-port N` or METRICS_PORT): the producer and the
// consumers report to one PrometheusMetrics, served at http://127.0.0.1:N/metrics while the
// demo runs, so `curl` or a local Prometheus can watch it. At the end the demo scrapes its own
// endpoint once, over HTTP like Prometheus, and the summary says what that scrape showed.
import { type Metrics, noopMetrics } from "@kytos-events/core";
import { type MetricsServer, PrometheusMetrics, serveMetrics } from "@kytos-events/prometheus";

/** What the last scrape showed. */
export interface ScrapeSummary {
  readonly url: string;
  /** Sample lines in the scrape. */
  readonly samples: number;
  readonly handlerRuns: number;
  /** Sum of the consumer lag gauges, and how many partitions (or queues) reported one. */
  readonly lag: number;
  readonly lagSeries: number;
  readonly dropped: number;
  readonly deadLetters: number;
}

export interface DemoMetrics {
  /** What the producer and consumers report to (no-op when not served). */
  readonly metrics: Metrics;
  readonly url: string | undefined;
  /** Scrapes the endpoint once; undefined when not served. */
  scrape(): Promise<ScrapeSummary | undefined>;
  close(): Promise<void>;
}

export async function openDemoMetrics(port: number | undefined): Promise<DemoMetrics> {
  if (port === undefined) {
    return { metrics: noopMetrics, url: undefined, scrape: async () => undefined, close: async () => {} };
  }
  const metrics = new PrometheusMetrics();
  const server: MetricsServer = await serveMetrics({ registry: metrics.registry, port, host: "127.0.0.1" });
  return {
    metrics,
    url: server.url,
    scrape: async () => summarise(server.url, await (await fetch(server.url)).text()),
    close: () => server.close(),
  };
}

function summarise(url: string, text: string): ScrapeSummary {
  const samples = text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
  const values = (name: string) =>
    samples
      .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      .map((line) => Number(line.slice(line.lastIndexOf(" ") + 1)));
  const sum = (name: string) => values(name).reduce((a, b) => a + b, 0);
  return {
    url,
    samples: samples.length,
    handlerRuns: sum("kytos_events_handler_duration_ms_count"),
    lag: sum("kytos_events_consume_lag"),
    lagSeries: values("kytos_events_consume_lag").length,
    dropped: sum("kytos_events_publish_dropped_total"),
    deadLetters: sum("kytos_events_consume_dead_letters_total"),
  };
}
