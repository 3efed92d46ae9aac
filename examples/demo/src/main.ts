// `pnpm demo`: the controller's event stream mapped to typed Protobuf events, enveloped,
// routed (per-NApp, verbose and compacted link-status destinations) and sent over the embedded
// memory transport; a consumer group reads the verbose stream, decodes every event, settles
// it, and keeps the live state of every link. The summary is measured in this run.
import {
  createEnvelope,
  createMemoryBroker,
  createMemoryTransport,
  decodeEnvelope,
  encodeEnvelope,
  type OutboundRecord,
  Router,
  SequenceCounter,
} from "@kytos-events/core";
import { fromKytosJson } from "@kytos-events/schema";
import { scenario } from "./scenario.js";

const options = { switches: 40, evcs: 60, flaps: 20_000, seed: 7 };
const broker = createMemoryBroker();
const producerSide = createMemoryTransport({ broker });
const consumerSide = createMemoryTransport({ broker });
const router = new Router();
await producerSide.ensureDestinations(router.destinationSpecs());

const started = performance.now();
const reader = await consumerSide.subscribe({
  group: "demo",
  destinations: ["kytos.events"],
  fromBeginning: true,
  maxInFlight: 1024,
});
const links = new Map<string, string>();
const byType = new Map<string, number>();
let consumed = 0;
let failed = 0;

const consuming = (async () => {
  for await (const record of reader) {
    const result = decodeEnvelope(record.value, record.headers);
    if (!result.ok) {
      failed++;
      await record.deadLetter(result.error.message);
      continue;
    }
    const { envelope } = result;
    byType.set(envelope.type, (byType.get(envelope.type) ?? 0) + 1);
    if (envelope.payload.case === "topologyLinkUp" || envelope.payload.case === "topologyLinkDown") {
      links.set(envelope.key, envelope.payload.case === "topologyLinkUp" ? "UP" : "DOWN");
    }
    consumed++;
    await record.ack();
  }
})();

const sequence = new SequenceCounter();
let produced = 0;
let batch: OutboundRecord[] = [];
for (const event of scenario(options)) {
  const envelope = createEnvelope({
    type: event.name,
    payload: fromKytosJson(event.name, event.content),
    source: "kytos-demo",
    sequence: sequence.next(),
  });
  const { value, headers } = encodeEnvelope(envelope);
  for (const destination of router.route(event.name, producerSide.capabilities.fanout)) {
    batch.push({ destination, key: envelope.key, value, headers });
  }
  produced++;
  if (batch.length >= 500) {
    await producerSide.send(batch);
    batch = [];
  }
}
await producerSide.send(batch);
while (consumed + failed < produced) await new Promise((r) => setTimeout(r, 10));
const seconds = (performance.now() - started) / 1000;
await reader.close();
await consuming;

const statusLatest = broker.records("kytos.status.link").length;
const down = [...links.values()].filter((s) => s === "DOWN").length;
console.log("kytos-events demo (memory transport)");
console.log(
  `  events produced      ${produced} (${options.switches} switches, ${options.evcs} EVCs, ${options.flaps} link flaps)`,
);
console.log(`  events consumed      ${consumed} decoded, ${failed} dead-lettered`);
console.log(
  `  throughput           ${Math.round(produced / seconds)} events/s end to end (${seconds.toFixed(2)} s)`,
);
console.log(`  links                ${links.size} known: ${links.size - down} up, ${down} down`);
console.log(
  `  compacted status     ${statusLatest} records hold the latest state of every link (of ${byType.get("kytos/topology.link_up")! + byType.get("kytos/topology.link_down")!} link events)`,
);
console.log("  by event type:");
for (const [type, n] of [...byType].sort((a, b) => b[1] - a[1]))
  console.log(`    ${String(n).padStart(7)}  ${type}`);
if (consumed !== produced) process.exitCode = 1;
