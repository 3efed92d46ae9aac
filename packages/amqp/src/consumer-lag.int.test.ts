// Consumer lag of a RabbitMQ subscription on the real broker: the gauge (partition "0" of the
// destination) counts what the group's queue still holds ready plus what this subscriber
// holds unsettled, goes back to 0 once everything is acked — between two measurements of the
// queue too, from the subscriber's own deliveries and settlements — and reads 0 after close.
import { Header, MetricName, type OutboundRecord, RecordingMetrics } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { type AmqpTransport, createAmqpTransport } from "./amqp-transport.js";
import { amqpUrl, TEST_QUEUE_EXPIRES_MS, unique, waitFor } from "./test-support.js";

const encoder = new TextEncoder();
const timeout = 30_000;

describe("RabbitMQ consumer lag", () => {
  const transports: AmqpTransport[] = [];

  afterAll(async () => {
    await Promise.allSettled(transports.map((t) => t.close()));
  });

  // Measured often so the test waits little; the default is 5 s.
  async function setUp(consumerLagIntervalMs = 50) {
    const transport = createAmqpTransport({
      url: amqpUrl(),
      queueExpiresMs: TEST_QUEUE_EXPIRES_MS,
      consumerLagIntervalMs,
    });
    transports.push(transport);
    const dest = unique("lag");
    const type = `kytos/${dest.replace("-", "_")}.event`;
    await transport.ensureDestinations([{ name: dest, eventPrefixes: [type] }]);
    const records = (n: number): OutboundRecord[] =>
      Array.from({ length: n }, (_, i) => ({
        destination: dest,
        key: `k${i}`,
        value: encoder.encode(`record ${i}`),
        headers: { [Header.EventType]: type },
      }));
    const metrics = new RecordingMetrics();
    const lag = () => metrics.gaugeValue(MetricName.ConsumerLag, { destination: dest, partition: "0" });
    const subscribe = async (maxInFlight: number) =>
      new Collector(
        await transport.subscribe({ group: unique("g"), destinations: [dest], maxInFlight, metrics }),
      );
    return { transport, records, metrics, lag, subscribe };
  }

  it(
    "counts ready and unsettled messages of the group's queue, down to 0 as they are acked",
    async () => {
      const { transport, records, metrics, lag, subscribe } = await setUp();
      const reader = await subscribe(2);
      const n = 10;
      await transport.send(records(n));
      await reader.count(2, timeout);
      // Two delivered and held (prefetch 2), eight ready in the queue behind them.
      await waitFor(() => lag() === n, timeout, `lag ${n} (have ${lag()})`);
      for (let handled = 0; handled < n; handled++) {
        await reader.count(handled + 1, timeout);
        await reader.records[handled]!.ack();
      }
      await waitFor(() => lag() === 0, timeout, `lag 0 (have ${lag()})`);
      expect(metrics.misuses).toEqual([]);
      await reader.close();
    },
    timeout * 2,
  );

  it(
    "reads 0 once the subscription is closed, however many messages it held",
    async () => {
      const { transport, records, lag, subscribe } = await setUp();
      const reader = await subscribe(100);
      await transport.send(records(5));
      await reader.count(5, timeout);
      await waitFor(() => lag() === 5, timeout, `lag 5 (have ${lag()})`);
      await reader.close();
      expect(lag()).toBe(0);
    },
    timeout * 2,
  );

  it(
    "follows deliveries and acks between two measurements of the queue",
    async () => {
      // One measurement at subscribe (the queue is empty), the next not before ten minutes.
      const { transport, records, lag, subscribe } = await setUp(600_000);
      const reader = await subscribe(100);
      await waitFor(() => lag() === 0, timeout, `the first measurement (have ${lag()})`);
      const n = 6;
      await transport.send(records(n));
      await reader.count(n, timeout);
      await waitFor(() => lag() === n, timeout, `lag ${n} (have ${lag()})`);
      for (const r of reader.records.slice(0, 4)) await r.ack();
      expect(lag()).toBe(2);
      for (const r of reader.records.slice(4)) await r.ack();
      expect(lag()).toBe(0);
      await reader.close();
    },
    timeout * 2,
  );
});
