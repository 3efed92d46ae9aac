// Part 7, memory: RSS while 1M events wait in a producer lane whose broker is down (the
// outage buffer sized for them), and RSS sampled every 10 s during a sustained run at
// ~3,100 events/s through Kafka (5 minutes; 30 s with --quick): first, last, max and the
// slope of a least-squares line. Each runs in its own Node process with --expose-gc
// (memory-child.ts), so one's garbage does not show in the other's numbers.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmt } from "./measure.js";
import { kafkaBrokers } from "./shared-kafka.js";
import { printTable } from "./table.js";

const RATE = 3100;

interface Sample {
  readonly atSeconds: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly published?: number;
  readonly handled?: number;
}

export async function runMemory(quick: boolean): Promise<unknown> {
  const events = quick ? 100_000 : 1_000_000;
  const buffer = (await child(["buffer", String(events)])) as {
    events: number;
    publishSeconds: number;
    before: Sample;
    after: Sample;
    buffered: number;
    bytesPerEvent: number;
    heapBytesPerEvent: number;
  };
  printTable(
    "Producer outage buffer (broker down, every event buffered; RSS and heap after a full GC)",
    [
      "events buffered",
      "publish s",
      "RSS before MiB",
      "RSS after MiB",
      "heap after MiB",
      "RSS B/event",
      "heap B/event",
    ],
    [
      [
        fmt(buffer.buffered),
        buffer.publishSeconds.toFixed(1),
        buffer.before.rssMiB.toFixed(0),
        buffer.after.rssMiB.toFixed(0),
        buffer.after.heapUsedMiB.toFixed(0),
        fmt(buffer.bytesPerEvent),
        fmt(buffer.heapBytesPerEvent),
      ],
    ],
  );

  await kafkaBrokers();
  const seconds = quick ? 10 : 300;
  const run = (await child(["sustained", String(seconds), String(RATE)])) as {
    published: number;
    handled: number;
    backlogAtEnd: number;
    processCpu: number;
    latency: { events: number; p50: number; p95: number; p99: number; max: number };
    samples: Sample[];
  };
  const rss = run.samples.map((s) => s.rssMiB);
  const warm = run.samples.filter((s) => s.atSeconds >= 10);
  const summary = {
    firstMiB: rss[0] ?? 0,
    lastMiB: rss.at(-1) ?? 0,
    maxMiB: Math.max(...rss),
    // From the first 10 s sample on: the one at 0 s is before the clients connected and warmed up.
    slopeMiBPerMinute: slope(warm.map((s) => [s.atSeconds / 60, s.rssMiB])),
    heapSlopeMiBPerMinute: slope(warm.map((s) => [s.atSeconds / 60, s.heapUsedMiB])),
  };
  printTable(
    `Sustained ${RATE} events/s through Kafka for ${seconds} s (producer SDK + consumer SDK, one process)`,
    ["at s", "RSS MiB", "heap MiB", "published", "handled"],
    run.samples.map((s) => [
      s.atSeconds,
      s.rssMiB.toFixed(0),
      s.heapUsedMiB.toFixed(0),
      s.published ?? "",
      s.handled ?? "",
    ]),
  );
  console.log(
    `RSS first ${summary.firstMiB.toFixed(0)} MiB, last ${summary.lastMiB.toFixed(0)} MiB, max ${summary.maxMiB.toFixed(0)} MiB, ` +
      `slope from 10 s on ${summary.slopeMiBPerMinute.toFixed(2)} MiB/min (heap ${summary.heapSlopeMiBPerMinute.toFixed(2)} MiB/min)`,
  );
  const l = run.latency;
  console.log(
    `latency over the run (scenario b on Kafka): ${l.events} events, p50 ${l.p50} ms, p95 ${l.p95} ms, ` +
      `p99 ${l.p99} ms, max ${l.max} ms; backlog when publishing stopped: ${run.backlogAtEnd}; ` +
      `process CPU ${Math.round(run.processCpu * 100)} % of a core`,
  );
  return { buffer, sustained: { ...run, summary } };
}

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function child(args: readonly string[]): Promise<unknown> {
  const script = join(dirname(fileURLToPath(import.meta.url)), "memory-child.ts");
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ["--expose-gc", "--conditions=@kytos-events/source", "--import", "tsx", script, ...args],
      { env: process.env, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
    });
    proc.on("error", reject);
    proc.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (code !== 0 || line === undefined)
        reject(new Error(`bench: memory child ${args[0]} exited ${code}`));
      else resolve(JSON.parse(line.slice("RESULT ".length)));
    });
  });
}
