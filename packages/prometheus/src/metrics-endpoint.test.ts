import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ErrorCode, type KytosEventsError, MetricName } from "@kytos-events/core";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { type MetricsServer, metricsHandler, serveMetrics } from "./metrics-endpoint.js";
import { PrometheusMetrics } from "./prometheus-metrics.js";

const TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
const servers: MetricsServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(metrics: PrometheusMetrics, path?: string): Promise<MetricsServer> {
  const server = await serveMetrics({
    registry: metrics.registry,
    port: 0,
    host: "127.0.0.1",
    ...(path ? { path } : {}),
  });
  servers.push(server);
  return server;
}

describe("serveMetrics", () => {
  it("answers a real HTTP scrape with the exposition in text format 0.0.4", async () => {
    const metrics = new PrometheusMetrics();
    metrics.gauge(MetricName.ConsumerLag, 3, { destination: "kytos.events", partition: "1" });
    const server = await serve(metrics);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    expect(server.port).toBeGreaterThan(0);

    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(TEXT_FORMAT);
    const body = await res.text();
    expect(body).toContain("# TYPE kytos_events_consume_lag gauge");
    expect(body).toContain('kytos_events_consume_lag{destination="kytos.events",partition="1"} 3');
    expect(body).toBe(await metrics.exposition());

    // A later scrape sees later values.
    metrics.gauge(MetricName.ConsumerLag, 0, { destination: "kytos.events", partition: "1" });
    expect(await (await fetch(`${server.url}?x=1`)).text()).toContain(
      'kytos_events_consume_lag{destination="kytos.events",partition="1"} 0',
    );
  });

  it("answers 404 off its path, 405 to other methods, and HEAD without a body", async () => {
    const server = await serve(new PrometheusMetrics(), "/prom");
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    const post = await fetch(`${base}/prom`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const head = await fetch(`${base}/prom`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe(TEXT_FORMAT);
    expect(await head.text()).toBe("");
  });

  it("closes with a kept-alive connection open, and stops answering", async () => {
    const server = await serve(new PrometheusMetrics());
    const res = await fetch(server.url, { headers: { connection: "keep-alive" } });
    await res.text();
    servers.splice(servers.indexOf(server), 1);
    await server.close();
    await server.close(); // a second close is the same
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it("refuses a port that is taken with KE_CONFIG_INVALID naming it", async () => {
    const first = await serve(new PrometheusMetrics());
    let error: KytosEventsError | undefined;
    try {
      await serveMetrics({ registry: new Registry(), port: first.port, host: "127.0.0.1" });
    } catch (err) {
      error = err as KytosEventsError;
    }
    expect(error?.code).toBe(ErrorCode.ConfigInvalid);
    expect(error?.message).toContain(`127.0.0.1:${first.port}`);
    expect(error?.message).toContain("EADDRINUSE");
  });
});

describe("metricsHandler", () => {
  it("serves the registry from an application's own HTTP server", async () => {
    const metrics = new PrometheusMetrics();
    metrics.count(MetricName.DeadLetters, 1, { destination: "kytos.events", event: "kytos/core.switch.new" });
    const handler = metricsHandler(metrics.registry);
    const server = createServer((req, res) => {
      if (req.url === "/internal/metrics") handler(req, res);
      else res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/internal/metrics`);
      expect(res.headers.get("content-type")).toBe(TEXT_FORMAT);
      expect(await res.text()).toContain(
        'kytos_events_consume_dead_letters_total{destination="kytos.events",event="kytos/core.switch.new"} 1',
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
