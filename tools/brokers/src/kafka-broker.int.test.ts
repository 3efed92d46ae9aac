// The harness's own promises, each on a dedicated broker (never the shared one): restart()
// keeps data, kill() is a recoverable crash, pause() is a stall, and no java process or
// broker directory outlives its owner, even one that dies without cleaning up.
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { type Consumer, Kafka, logLevel } from "kafkajs";
import { afterEach, describe, expect, it } from "vitest";
import { type KafkaBroker, startKafka, waitForKafka, waitForTopicLeaders } from "./index.js";

const brokers: KafkaBroker[] = [];
const children: ChildProcessByStdio<null, Readable, Readable>[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await Promise.all(brokers.splice(0).map((b) => b.destroy()));
});

async function dedicatedBroker(): Promise<KafkaBroker> {
  const broker = await startKafka();
  brokers.push(broker);
  return broker;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const client = (broker: KafkaBroker) =>
  new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 } });

async function produceOne(broker: KafkaBroker, topic: string, value: string): Promise<void> {
  const admin = client(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: false });
  await waitForTopicLeaders(admin, [topic]);
  await admin.disconnect();
  const producer = client(broker).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [{ key: "k", value }] });
  await producer.disconnect();
}

async function readFirst(broker: KafkaBroker, topic: string): Promise<string> {
  const consumer: Consumer = client(broker).consumer({ groupId: `harness-${topic}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no record on ${topic} within 30 s`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve(String(message.value));
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

describe("KafkaBroker", () => {
  it("keeps topics and records across restart() on the same port, and destroy() leaves no java process", async () => {
    const broker = await dedicatedBroker();
    await produceOne(broker, "survives", "before-restart");

    const address = broker.brokers[0];
    const firstPid = broker.pid!;
    await broker.restart();
    expect(broker.brokers[0]).toBe(address);
    expect(broker.pid).not.toBe(firstPid);
    expect(alive(firstPid)).toBe(false);
    expect(await readFirst(broker, "survives")).toBe("before-restart");

    const pid = broker.pid!;
    const dir = dirname(broker.logFile);
    await broker.destroy();
    expect(broker.running).toBe(false);
    expect(alive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it("kill() is a crash: the process is gone at once, and start() recovers acknowledged records on the same port", async () => {
    const broker = await dedicatedBroker();
    await produceOne(broker, "crash", "before-crash");
    const pid = broker.pid!;
    await broker.kill();
    expect(alive(pid)).toBe(false);
    expect(broker.running).toBe(false);

    await broker.start();
    expect(await readFirst(broker, "crash")).toBe("before-crash");
  });

  it("pause() stalls every request until resume(), and stop() still ends a paused broker", async () => {
    const broker = await dedicatedBroker();
    const admin = new Kafka({
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
      requestTimeout: 1000,
      retry: { retries: 0 },
    }).admin();
    await admin.connect();
    try {
      broker.pause();
      await expect(admin.describeCluster()).rejects.toThrow();
      broker.resume();
      await waitForKafka(broker.brokers, { timeoutMs: 20_000 });
    } finally {
      await admin.disconnect();
    }

    broker.pause();
    const pid = broker.pid!;
    await broker.stop();
    expect(alive(pid)).toBe(false);
  });
});

describe("brokers CLI", () => {
  const cli = join(dirname(fileURLToPath(import.meta.url)), "cli.ts");

  /** Starts `brokers up` and waits for its KAFKA_BROKERS line. */
  async function brokersUp(): Promise<{
    child: ChildProcessByStdio<null, Readable, Readable>;
    pid: number;
    dir: string;
    address: string;
  }> {
    const child = spawn(process.execPath, ["--import", "tsx", cli, "up"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, KAFKA_PORT: "" },
    });
    children.push(child);
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      out += chunk;
    });
    await until(
      "the CLI printed KAFKA_BROKERS",
      () => /KAFKA_BROKERS=\S+\n/.test(out) || child.exitCode !== null,
      90_000,
    );
    const ready = /pid (\d+), log (\S+)\)/.exec(out);
    const address = /KAFKA_BROKERS=(\S+)/.exec(out);
    if (!ready || !address) throw new Error(`the CLI did not start a broker:\n${out}`);
    return { child, pid: Number(ready[1]), dir: dirname(ready[2]!), address: address[1]! };
  }

  it("`brokers up` prints a working KAFKA_BROKERS, and Ctrl-C (SIGINT) stops the broker and deletes its directory", async () => {
    const { child, pid, dir, address } = await brokersUp();
    await waitForKafka([address], { timeoutMs: 10_000 });
    child.kill("SIGINT");
    await until("the CLI exited", () => child.exitCode !== null);
    expect(child.exitCode).toBe(0);
    expect(alive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it("a process killed without any cleanup (SIGKILL) leaves no java process and no broker directory behind", async () => {
    const { child, pid, dir } = await brokersUp();
    child.kill("SIGKILL");
    await until("the orphaned broker was killed", () => !alive(pid));
    await until("the broker directory was deleted", () => !existsSync(dir));
  });
});
