// A process with a producer on the embedded memory transport, for memory-process-exit.int.test.
// MODE=publish: publishes COUNT link events, reads them back from its in-process broker,
// reports {"kind":"published",...} on stdout, then stays alive until killed.
// MODE=read: a new process on a fresh memory transport; reports what its broker holds.
import { createMemoryTransport, Router } from "@kytos-events/core";
import { createProducer } from "@kytos-events/producer";

const destination = "kytos.topology";
const report = (r: object) => process.stdout.write(`${JSON.stringify(r)}\n`);

async function main(): Promise<void> {
  const transport = createMemoryTransport();
  await transport.ensureDestinations(new Router().destinationSpecs());
  if (process.env.MODE === "read") {
    report({ kind: "read", records: transport.broker.records(destination).length });
    await transport.close();
    return;
  }
  const count = Number(process.env.COUNT);
  const producer = createProducer({ source: "memory-exit", lanes: [{ name: "memory", transport }] });
  for (let i = 0; i < count; i++) producer.publish("kytos/topology.link_up", { link: { id: `link-${i}` } });
  await producer.flush();
  report({ kind: "published", records: transport.broker.records(destination).length });
  setInterval(() => {}, 60_000); // alive, holding the events in memory, until the test kills it
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
