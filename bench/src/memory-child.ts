// The memory part's measurements, run in a child process started with --expose-gc so each
// starts from a clean heap and can collect garbage before sampling. Prints one JSON line.
//   buffer <events>            RSS with <events> in a producer lane whose broker is down
//   sustained <seconds> <rate> RSS every 10 s while <rate> events/s go producer → Kafka → consumer
import { createConsumer } from "@kytos-events/consumer";
import { createKafkaTransport } from "@kytos-events/kafka";
import { createProducer } from "@kytos-events/producer";
import { publishAtRate } from "./pacing.js";
import { EVENT, linkDownContent } from "./workload.js";

const MiB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

interface Sample {
  readonly atSeconds: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly published?: number;
  readonly handled?: number;
}

function sample(atSeconds: number, extra: Partial<Sample> = {}): Sample {
  gc?.();
  const m = process.memoryUsage();
  return { atSeconds, rssMiB: m.rss / MiB, heapUsedMiB: m.heapUsed / MiB, ...extra };
}

function contents(): Record<string, unknown>[] {
  const content = linkDownContent() as { link: { id: string } };
  return Array.from({ length: 1000 }, (_, k) => ({
    ...content,
    link: { ...content.link, id: `${content.link.id}-${k}` },
  }));
}

async function buffer(events: number) {
  const bodies = contents();
  const before = sample(0);
  const producer = createProducer({
    source: "bench",
    // Nothing listens on port 1: the lane keeps trying to connect and buffers meanwhile.
    lanes: [
      {
        name: "down",
        transport: createKafkaTransport({ brokers: "127.0.0.1:1", clientId: "bench-memory" }),
        buffer: { maxEvents: events, maxBytes: 4 * 1024 * MiB },
      },
    ],
  });
  const start = performance.now();
  for (let i = 0; i < events; i++) producer.publishKytos(EVENT, bodies[i % bodies.length]);
  const publishSeconds = (performance.now() - start) / 1000;
  const after = sample(publishSeconds);
  const lane = producer.stats().lanes[0];
  return {
    events,
    publishSeconds,
    before,
    after,
    buffered: lane?.buffered,
    dropped: lane?.dropped,
    delivered: lane?.delivered,
    bytesPerEvent: ((after.rssMiB - before.rssMiB) * MiB) / events,
    heapBytesPerEvent: ((after.heapUsedMiB - before.heapUsedMiB) * MiB) / events,
  };
}

async function sustained(seconds: number, rate: number) {
  const brokers = process.env.KAFKA_BROKERS ?? "";
  const destination = `bench.${Date.now()}.memory`;
  const consumerTransport = createKafkaTransport({ brokers, clientId: "bench-memory-consumer" });
  await consumerTransport.connect();
  await consumerTransport.ensureDestinations([{ name: destination, partitions: 3 }]);
  const bodies = contents();
  let handled = 0;
  // Publish → handler latency in 1 ms buckets up to a minute: fixed memory, so measuring it
  // does not grow the RSS being measured.
  const histogram = new Uint32Array(60_001);
  const consumer = createConsumer({
    transport: consumerTransport,
    group: `${destination}.group`,
    destinations: [destination],
    from: "beginning",
    gaps: false,
  }).on(EVENT, (event) => {
    handled++;
    const ms = Date.now() - (event.occurredAt?.getTime() ?? 0);
    histogram[Math.min(60_000, Math.max(0, ms))]!++;
  });
  const producer = createProducer({
    source: "bench",
    lanes: [
      {
        name: "kafka",
        transport: createKafkaTransport({ brokers, clientId: "bench-memory-producer" }),
        routing: { nappDestination: destination, verboseDestination: false, statusDestination: false },
        // Sized for the whole run: a lane that falls behind shows as RSS here, not as drops
        // (the default 10,000-event buffer dropped the oldest ~18k in the first seconds of
        // one run on the loaded machine, counted in stats().lanes[].dropped).
        buffer: { maxEvents: Math.ceil(seconds * rate) + 1, maxBytes: 4 * 1024 * MiB },
      },
    ],
  });
  await consumer.start();
  await producer.ready({ timeoutMs: 60_000 });
  const samples: Sample[] = [sample(0, { published: 0, handled: 0 })];
  let published = 0;
  let nextSample = 10_000;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await publishAtRate(
    rate,
    seconds,
    (i) => {
      producer.publishKytos(EVENT, bodies[i % bodies.length]);
      published++;
    },
    (elapsed) => {
      if (elapsed < nextSample) return;
      nextSample += 10_000;
      samples.push(sample(Math.round(elapsed / 1000), { published, handled }));
    },
  );
  const elapsed = (performance.now() - start) / 1000;
  samples.push(sample(Math.round(elapsed), { published, handled }));
  const backlogAtEnd = published - handled;
  const used = process.cpuUsage(cpu);
  const processCpu = (used.user + used.system) / 1e6 / elapsed;
  const latency = percentiles(histogram);
  const stats = producer.stats().lanes[0];
  await producer.close();
  await consumer.stop({ timeoutMs: 5_000 });
  await consumerTransport.close();
  return {
    seconds: elapsed,
    processCpu,
    rate,
    published,
    handled,
    backlogAtEnd,
    latency,
    dropped: stats?.dropped,
    samples,
  };
}

/** p50/p95/p99/max in ms from the 1 ms histogram (the last bucket is "a minute or more"). */
function percentiles(histogram: Uint32Array) {
  let total = 0;
  for (const n of histogram) total += n;
  const at = (p: number) => {
    const rank = Math.ceil((p / 100) * total);
    let seen = 0;
    for (let ms = 0; ms < histogram.length; ms++) {
      seen += histogram[ms]!;
      if (seen >= rank) return ms;
    }
    return histogram.length - 1;
  };
  let max = 0;
  for (let ms = 0; ms < histogram.length; ms++) if (histogram[ms]! > 0) max = ms;
  return { events: total, p50: at(50), p95: at(95), p99: at(99), max };
}

const [mode, a, b] = process.argv.slice(2);
const result = mode === "buffer" ? await buffer(Number(a)) : await sustained(Number(a), Number(b));
console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(0);
