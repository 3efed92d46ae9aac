// The CLI against the real brokers: publish controller events from a file, tail them back
// decoded, and read link states — on Kafka and on RabbitMQ.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kytosEventFixtures, linkId } from "@kytos-events/schema/fixtures";
import { describe, expect, it } from "vitest";
import { main } from "./main.js";

const dir = mkdtempSync(join(tmpdir(), "kytos-events-cli-"));
const file = join(dir, "events.jsonl");
const lines = kytosEventFixtures.map((f, i) =>
  // Both accepted shapes: the bridge's {name, content} and kafka_events' {event, message}.
  JSON.stringify(i % 2 === 0 ? { name: f.name, content: f.content } : { event: f.name, message: f.content }),
);
writeFileSync(file, `${[...lines, '{"name": "kytos/nope.unknown", "content": {}}'].join("\n")}\n`);
const topologyEvents = kytosEventFixtures.filter((f) => f.name.startsWith("kytos/topology.")).length;

async function run(...argv: string[]) {
  return start(...argv).done;
}

function start(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const done = main(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  ).then((code) => ({ code, out, err }));
  const listening = async () => {
    for (let waited = 0; !err.some((l) => l.startsWith("tail: listening")); waited += 50) {
      if (waited > 30_000) throw new Error("tail did not start listening");
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { done, listening };
}

const sourced = (source: string) => (lines: string[]) =>
  lines.map((l) => JSON.parse(l) as { source: string; type: string }).filter((e) => e.source === source);

describe("CLI on Kafka", () => {
  const brokers = ["--transport", "kafka", "--brokers", process.env.KAFKA_BROKERS!];

  it("publishes a JSON-lines file, reporting the bad line, and tails the events back decoded and filtered", async () => {
    const source = `cli-${randomUUID()}`;
    const published = await run("publish", "--file", file, "--source", source, ...brokers);
    expect(published.code).toBe(1);
    expect(published.err.join("\n")).toMatch(/line \d+: unknown event "kytos\/nope.unknown"/);
    expect(published.out[0]).toContain(`(${kytosEventFixtures.length} events)`);

    const tailed = await run(
      "tail",
      "--from-beginning",
      "--idle-exit",
      "4000",
      "--allow",
      "kytos/topology\\..*",
      ...brokers,
    );
    expect(tailed.code).toBe(0);
    const mine = sourced(source)(tailed.out);
    expect(mine).toHaveLength(topologyEvents);
    expect(mine.every((e) => e.type.startsWith("kytos/topology."))).toBe(true);
  });

  it("prints the latest state of each link from the compacted status topic", async () => {
    const { code, out } = await run("links", "--idle-ms", "3000", "--json", ...brokers);
    expect(code).toBe(0);
    const link = out.map((l) => JSON.parse(l)).find((r) => r.id === linkId);
    expect(link).toBeDefined();
    expect(["up", "down", "enabled", "disabled", "deleted", "created"]).toContain(link.state);
  });

  it("exits 3 with the broker named when Kafka is unreachable, through the real executable", () => {
    const result = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=@kytos-events/source",
        join(import.meta.dirname, "bin.ts"),
        "tail",
        "--brokers",
        "127.0.0.1:1",
      ],
      { encoding: "utf8", env: { ...process.env, KAFKA_BROKERS: "" }, timeout: 60_000 },
    );
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("127.0.0.1:1");
  });
});

describe("CLI on RabbitMQ", () => {
  const amqp = ["--transport", "amqp", "--url", process.env.AMQP_URL!];

  it("tails events published while it listens", async () => {
    const source = `cli-${randomUUID()}`;
    const tailing = start("tail", "--idle-exit", "4000", "--destination", "kytos.topology", ...amqp);
    await tailing.listening();
    const published = await run("publish", "--file", file, "--source", source, ...amqp);
    expect(published.code).toBe(1);
    const tailed = await tailing.done;
    const mine = sourced(source)(tailed.out);
    expect(mine).toHaveLength(topologyEvents);
  });

  it("prints the latest state of each link from RabbitMQ's last-value queues", async () => {
    const { code, out } = await run("links", "--idle-ms", "3000", "--json", ...amqp);
    expect(code).toBe(0);
    const link = out.map((l) => JSON.parse(l)).find((r) => r.id === linkId);
    expect(link).toBeDefined();
    expect(["up", "down", "enabled", "disabled", "deleted", "created"]).toContain(link.state);
  });
});
