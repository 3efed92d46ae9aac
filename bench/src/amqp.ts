// Part 3, producer on real RabbitMQ: the AMQP transport and the producer SDK against raw
// amqplib on a confirm channel sending the same bytes the same way (persistent, mandatory,
// through a topic exchange into a quorum queue, at most 5000 unconfirmed), and against a
// naive loop awaiting each confirm.
import { createAmqpTransport, DEFAULT_AMQP_URL, routingKeyOf } from "@kytos-events/amqp";
import { ContentType, Header, type OutboundRecord } from "@kytos-events/core";
import { createProducer, type EncodedEvent } from "@kytos-events/producer";
import amqp from "amqplib";
import { type CpuThroughputResult, inRounds, type RoundsResult, timedCpu } from "./cpu-timed.js";
import { fmt } from "./measure.js";
import { eventCount, MAPS_AND_ENCODES, PREBUILT, prebuiltEvents, timedPublish } from "./producer-run.js";
import { printTable } from "./table.js";
import { EVENT, prebuiltRecords } from "./workload.js";

const BATCH = 500;
const MAX_UNCONFIRMED = 5000;

export async function runAmqp(quick: boolean): Promise<{ broker: string; results: RoundsResult[] }> {
  const url = process.env.AMQP_URL ?? DEFAULT_AMQP_URL;
  const events = quick ? 10_000 : 50_000;
  const rounds = 2;
  const naiveEvents = quick ? 500 : 3_000;
  const run = `bench.${Date.now()}`;
  const admin = await amqp.connect(url);
  const version = String(admin.connection.serverProperties.version ?? "?");
  const ch = await admin.createChannel();
  const queues: string[] = [];
  const exchanges: string[] = [];
  let results: RoundsResult[] = [];
  try {
    const rawQueue = async (name: string) => {
      const exchange = `${run}.${name}`;
      await ch.assertExchange(exchange, "topic", { durable: true });
      await ch.assertQueue(exchange, { durable: true, arguments: { "x-queue-type": "quorum" } });
      await ch.bindQueue(exchange, exchange, "#");
      queues.push(exchange);
      exchanges.push(exchange);
      return exchange;
    };
    // The transports declare the exchange; queues belong to consumer groups, so the benchmark
    // binds one itself, as it does for the raw client.
    const bindQueue = async (exchange: string) => {
      await ch.assertQueue(exchange, { durable: true, arguments: { "x-queue-type": "quorum" } });
      await ch.bindQueue(exchange, exchange, "#");
      if (!queues.includes(exchange)) queues.push(exchange);
    };
    // Each transport also declares a direct exchange (addressing by destination name).
    exchanges.push(
      `${run}.transport`,
      `${run}.producer`,
      `${run}.prebuilt`,
      `${run}.transport.direct`,
      `${run}.producer.direct`,
      `${run}.prebuilt.direct`,
    );
    const rawExchange = await rawQueue("raw");
    const rawRecords = prebuiltRecords("raw", events);
    const transportRecords = prebuiltRecords(`${run}.transport.d`, events);
    const encoded = prebuiltEvents(events);
    // Every round starts from empty queues, so no contender pays for a deeper queue than another.
    const emptied =
      <T>(run: () => Promise<T>) =>
      async () => {
        for (const q of queues) await ch.purgeQueue(q);
        return run();
      };
    results = await inRounds(rounds, [
      emptied(() => rawConfirms(url, rawExchange, rawRecords)),
      emptied(() => viaTransport(url, `${run}.transport`, transportRecords, bindQueue)),
      emptied(() => viaProducer(url, `${run}.prebuilt`, encoded, PREBUILT, bindQueue)),
      emptied(() => viaProducer(url, `${run}.producer`, events, MAPS_AND_ENCODES, bindQueue)),
    ]);
    const naiveExchange = await rawQueue("naive");
    results.push(
      ...(await inRounds(1, [
        () => naiveConfirms(url, naiveExchange, prebuiltRecords("naive", naiveEvents)),
      ])),
    );
  } finally {
    for (const q of queues) await ch.deleteQueue(q).catch(() => {});
    for (const e of exchanges) await ch.deleteExchange(e).catch(() => {});
    await admin.close().catch(() => {});
  }
  const raw = results[0]?.perSecond ?? 1;
  const rawCpu = results[0]?.cpuUsPerEvent ?? 1;
  printTable(
    `RabbitMQ producer (${fmt(events)} link_down events, confirms, persistent, quorum queue; median of ${rounds} alternating rounds)`,
    [
      "contender",
      "events",
      "seconds",
      "events/s",
      "range",
      "× raw amqplib",
      "client CPU µs/event",
      "CPU × raw",
    ],
    results.map((r) => [
      r.contender,
      r.events,
      r.seconds.toFixed(2),
      fmt(r.perSecond),
      `${fmt(r.range[0])}–${fmt(r.range[1])}`,
      (r.perSecond / raw).toFixed(2),
      r.cpuUsPerEvent.toFixed(1),
      (r.cpuUsPerEvent / rawCpu).toFixed(2),
    ]),
  );
  return { broker: `RabbitMQ ${version}`, results };
}

function publishArgs(r: OutboundRecord) {
  return {
    routingKey: routingKeyOf(EVENT),
    content: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
    options: {
      contentType: r.headers[Header.ContentType] ?? ContentType.Protobuf,
      timestamp: Math.floor(Date.now() / 1000),
      headers: { ...r.headers, [Header.Key]: r.key },
      persistent: true,
      mandatory: true,
    },
  };
}

async function rawConfirms(
  url: string,
  exchange: string,
  records: OutboundRecord[],
): Promise<CpuThroughputResult> {
  const conn = await amqp.connect(url);
  const ch = await conn.createConfirmChannel();
  try {
    return await timedCpu("raw amqplib confirm channel", records.length, async () => {
      let outstanding = 0;
      let failed: Error | undefined;
      let wake: (() => void) | undefined;
      for (const r of records) {
        while (outstanding >= MAX_UNCONFIRMED) await new Promise<void>((resolve) => (wake = resolve));
        const p = publishArgs(r);
        outstanding++;
        const writable = ch.publish(exchange, p.routingKey, p.content, p.options, (err) => {
          if (err) failed = err;
          outstanding--;
          wake?.();
        });
        if (!writable) await new Promise((resolve) => ch.once("drain", resolve));
      }
      await ch.waitForConfirms();
      if (failed) throw failed;
    });
  } finally {
    await conn.close();
  }
}

async function naiveConfirms(
  url: string,
  exchange: string,
  records: OutboundRecord[],
): Promise<CpuThroughputResult> {
  const conn = await amqp.connect(url);
  const ch = await conn.createConfirmChannel();
  try {
    return await timedCpu("naive: one awaited confirm per event", records.length, async () => {
      for (const r of records) {
        const p = publishArgs(r);
        await new Promise<void>((resolve, reject) =>
          ch.publish(exchange, p.routingKey, p.content, p.options, (err) => (err ? reject(err) : resolve())),
        );
      }
    });
  } finally {
    await conn.close();
  }
}

async function viaTransport(
  url: string,
  exchange: string,
  records: OutboundRecord[],
  bindQueue: (exchange: string) => Promise<void>,
): Promise<CpuThroughputResult> {
  const transport = createAmqpTransport({ url, exchange, maxUnconfirmed: MAX_UNCONFIRMED });
  try {
    await transport.ensureDestinations([{ name: records[0]?.destination ?? "", eventPrefixes: [""] }]);
    await bindQueue(exchange);
    await transport.send(records.slice(0, 1));
    const rest = records.slice(1);
    return await timedCpu("kytos-events amqp transport", records.length, async () => {
      const sends: Promise<void>[] = [];
      for (let i = 0; i < rest.length; i += BATCH) sends.push(transport.send(rest.slice(i, i + BATCH)));
      await Promise.all(sends);
    });
  } finally {
    await transport.close();
  }
}

async function viaProducer(
  url: string,
  exchange: string,
  work: number | EncodedEvent[],
  contender: string,
  bindQueue: (exchange: string) => Promise<void>,
): Promise<CpuThroughputResult> {
  const producer = createProducer({
    source: "bench",
    batch: { maxEvents: MAX_UNCONFIRMED, maxBytes: 8 * 1024 * 1024 },
    lanes: [
      {
        name: "amqp",
        transport: createAmqpTransport({ url, exchange, maxUnconfirmed: MAX_UNCONFIRMED }),
        routing: {
          nappDestination: `${exchange}.{napp}`,
          verboseDestination: false,
          statusDestination: false,
        },
        buffer: { maxEvents: eventCount(work) + 2, maxBytes: 1024 * 1024 * 1024 },
      },
    ],
  });
  try {
    await producer.ready({ timeoutMs: 30_000 });
    await bindQueue(exchange);
    return await timedPublish(producer, work, contender);
  } finally {
    await producer.close();
  }
}
