// The controller side of a fault scenario, as its own process: the producer SDK publishing
// link up/down events in the controller's JSON (publishKytos) at RATE events/s, with a disk
// spool and a file sequence store, timing every publish call. Reports (JSON lines):
// "ready"; "status" every 250 ms; "flushed" once all COUNT events are published and settled;
// "closed" after SIGTERM (the producer is closed with CLOSE_TIMEOUT_MS, so what is not sent by
// then goes to the front of the spool for the next run).
//
// Env: TRANSPORT and its broker settings (transport-env.ts), DESTINATION, SOURCE,
// SEQUENCE_FILE, SPOOL_DIR, RATE, COUNT (events this process publishes), START (index of its
// first event, so a restarted producer goes on with the same keys), KEYS, CLOSE_TIMEOUT_MS.
import { createFileSequenceStore, createProducer } from "@kytos-events/producer";
import { linkJson } from "@kytos-events/schema/fixtures";
import { producerTransport, required } from "./transport-env.js";

const destination = required("DESTINATION");
const rate = Number(required("RATE"));
const count = Number(required("COUNT"));
const start = Number(process.env.START ?? 0);
const keys = Number(required("KEYS"));
const closeTimeoutMs = Number(process.env.CLOSE_TIMEOUT_MS ?? 10_000);

const report = (kind: string, fields: Record<string, unknown>) =>
  process.stdout.write(
    `${JSON.stringify({ kind, ...fields }, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}\n`,
  );

const errors: Record<string, number> = {};
const producer = createProducer({
  source: required("SOURCE"),
  // One stream with every event (the verbose destination), so the consumer sees them all.
  lanes: [
    {
      name: "main",
      transport: producerTransport(),
      routing: { nappDestination: destination, verboseDestination: destination, statusDestination: false },
    },
  ],
  sequenceStore: createFileSequenceStore(required("SEQUENCE_FILE")),
  spool: { dir: required("SPOOL_DIR"), segmentBytes: 4 * 1024 * 1024 },
  retry: { initialDelayMs: 100, maxDelayMs: 1000 },
  onError: (_error, context) => {
    errors[context.phase] = (errors[context.phase] ?? 0) + 1;
  },
});

// Controller JSON per key, built once: link-0 … link-(KEYS-1), alternately up and down.
const contents = Array.from({ length: keys }, (_, k) => ({
  up: { link: linkJson({ id: `link-${k}` }), reason: "link up" },
  down: { link: linkJson({ id: `link-${k}`, active: false, status: "DOWN" }), reason: "liveness down" },
}));

const durations = new Float64Array(count);
let published = 0;
let maxPublishMs = 0;
// CPU time of the slowest call: wall time on a loaded 2-core machine also counts the time the
// OS gave the cores to other processes; CPU time is what the call itself did (its own work,
// and GC), so the two together tell "the SDK blocked" from "the machine was busy".
let maxPublishCpuMs = 0;
let stopping = false;

function publishOne(): void {
  const index = start + published;
  const content = contents[index % keys]!;
  const down = Math.floor(index / keys) % 2 === 1;
  const cpu = process.cpuUsage();
  const began = performance.now();
  producer.publishKytos(
    down ? "kytos/topology.link_down" : "kytos/topology.link_up",
    down ? content.down : content.up,
  );
  const took = performance.now() - began;
  const used = process.cpuUsage(cpu);
  durations[published++] = took;
  if (took > maxPublishMs) maxPublishMs = took;
  const cpuMs = (used.user + used.system) / 1000;
  if (cpuMs > maxPublishCpuMs) maxPublishCpuMs = cpuMs;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function figures() {
  const sorted = durations.slice(0, published).sort();
  const lane = producer.stats().lanes[0]!;
  return {
    published,
    sequence: producer.stats().sequence,
    maxPublishMs,
    maxPublishCpuMs,
    p50PublishMs: percentile(sorted, 0.5),
    p99PublishMs: percentile(sorted, 0.99),
    p999PublishMs: percentile(sorted, 0.999),
    lane,
    errors,
  };
}

const status = setInterval(() => {
  const lane = producer.stats().lanes[0]!;
  report("status", {
    published,
    maxPublishMs,
    delivered: lane.delivered,
    buffered: lane.buffered,
    spoolBacklogBytes: lane.spool?.backlogBytes ?? 0,
    retries: lane.retries,
    ready: lane.ready,
  });
}, 250);

process.on("SIGTERM", () => {
  stopping = true;
  void (async () => {
    const close = await producer.close({ timeoutMs: closeTimeoutMs });
    clearInterval(status);
    report("closed", { ...figures(), close });
    process.exit(0);
  })();
});

await producer.ready({ timeoutMs: 60_000 });
report("ready", {});

// Publishes on a schedule (RATE per second from now), catching up after a late timer, so the
// rate holds whatever the event loop does.
const began = performance.now();
await new Promise<void>((resolve) => {
  const tick = () => {
    if (stopping) return resolve();
    const due = Math.min(count, Math.floor(((performance.now() - began) / 1000) * rate));
    while (published < due) publishOne();
    if (published >= count) return resolve();
    setTimeout(tick, 5);
  };
  tick();
});
if (!stopping) {
  const flushed = await producer.flush({ timeoutMs: 180_000 });
  report("flushed", { ...figures(), flushed, seconds: (performance.now() - began) / 1000 });
}
