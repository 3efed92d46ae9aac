// The CLI against the real brokers: publish controller events from a file, tail them back
// decoded, and read link states — on Kafka and on RabbitMQ.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAmqpTransport } from "@kytos-events/amqp";
import { kytosEventFixtures, linkId } from "@kytos-events/schema/fixtures";
import { type ChannelModel, connect } from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
    for (let waited = 0; !err.some((l) => /^(tail: listening|links: reading)/.test(l)); waited += 50) {
      if (waited > 30_000) throw new Error(`${argv[0]} did not start reading`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // "… as group G (kind)": the private group the command consumes in.
    return /as group (\S+) /.exec(err.join("\n"))?.[1] ?? "";
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

  describe("leaves no queue behind", () => {
    let model: ChannelModel;
    beforeAll(async () => {
      model = await connect(process.env.AMQP_URL!);
    });
    afterAll(async () => {
      await model.close();
    });

    const exists = async (queue: string): Promise<boolean> => {
      const ch = await model.createChannel();
      ch.on("error", () => {});
      try {
        await ch.checkQueue(queue);
        return true;
      } catch {
        return false; // 404 NOT_FOUND closes the channel
      } finally {
        await ch.close().catch(() => {});
      }
    };
    // A passive declare counts as use and restarts a queue's expiry clock: look less often than
    // the 1 s expiry the CLI is given, or the looking itself would keep the queues alive.
    const gone = async (queues: string[]): Promise<void> => {
      for (let waited = 0; ; waited += 3000) {
        await new Promise((r) => setTimeout(r, 3000));
        const left = [];
        for (const q of queues) if (await exists(q)) left.push(q);
        if (left.length === 0) return;
        if (waited > 60_000) throw new Error(`still there a minute after the CLI exited: ${left.join(", ")}`);
      }
    };

    it("a private tail's queues (and its dead-letter queue) are deleted after it exits, beside a long-lived group on the same destination", async () => {
      const destination = `cli-tail-${randomUUID()}`;
      // A long-lived group, declared with the transport's defaults (durable, no expiry).
      const app = createAmqpTransport({ url: process.env.AMQP_URL! });
      await app.connect();
      const appGroup = `cli-app-${randomUUID()}`;
      try {
        await app.ensureDestinations([{ name: destination, partitions: 1 }]);
        const appSub = await app.subscribe({ group: appGroup, destinations: [destination] });

        const tailing = start(
          "tail",
          "--destination",
          destination,
          "--idle-exit",
          "1500",
          "--queue-expires",
          "1000",
          ...amqp,
        );
        const group = await tailing.listening();
        expect(group).toMatch(/^kytos-events-tail-/);
        const mine = [`${group}.${destination}`, `${group}.dlq`];
        for (const q of mine) expect(await exists(q), q).toBe(true);
        const tailed = await tailing.done;
        expect(tailed.code, tailed.err.join("\n")).toBe(0);

        await gone(mine);
        // The long-lived group's queue and the shared dead-letter queue are untouched.
        expect(await exists(`${appGroup}.${destination}`)).toBe(true);
        expect(await exists(`${destination}.dlq`)).toBe(true);
        await appSub.close();
      } finally {
        await app.close();
        const ch = await model.createChannel();
        await ch.deleteQueue(`${appGroup}.${destination}`);
        await ch.deleteQueue(`${destination}.dlq`);
        await ch.close();
      }
    });

    it("links' private queues are deleted after it exits", async () => {
      const reading = start("links", "--idle-ms", "2000", "--queue-expires", "1000", "--json", ...amqp);
      const group = await reading.listening();
      expect(group).toMatch(/^kytos-events-links-/);
      const mine = [`${group}.kytos.status.link`, `${group}.dlq`];
      for (const q of mine) expect(await exists(q), q).toBe(true);
      expect((await reading.done).code).toBe(0);
      await gone(mine);
    });
  });
});
