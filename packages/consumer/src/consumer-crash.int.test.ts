// Kill the consumer process mid-stream (SIGKILL: no stop, no settlement, no commit), restart
// it, twice, and check what the SDK promises: every event reaches a handler at least once,
// and a side effect written through a store's transactional mode is applied exactly once —
// on Kafka and on RabbitMQ, with the Redis store and with the PostgreSQL store. The consumer
// is a real child process (test-fixtures/consume.ts); the side effects live in the real
// PostgreSQL and Redis on loopback, which are the ground truth here. The memory transport
// lives inside the consumer's process, so there the crash is played in-process: the
// subscription is closed under running handlers, and those not past their commit never get
// there (as if the process had died), while a new consumer takes over from the same broker.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createAmqpTransport } from "@kytos-events/amqp";
import {
  createMemoryBroker,
  createMemoryTransport,
  encodeEnvelope,
  type OutboundRecord,
  type Transport,
} from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import type { Envelope, EventName } from "@kytos-events/schema";
import amqplib from "amqplib";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsumer } from "./consumer.js";
import type { EventHandler } from "./event.js";
import { PostgresIdempotencyStore } from "./postgres/index.js";
import { RedisIdempotencyStore } from "./redis/index.js";
import { linkEvent, seeded } from "./test-support.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const fixture = fileURLToPath(new URL("../test-fixtures/consume.ts", import.meta.url));
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const N = 1500;
const LINKS = 40;

const children = new Set<ChildProcess>();
const run = randomUUID().replaceAll("-", "").slice(0, 10);
let dir: string;
let pool: pg.Pool;
let redis: Redis;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "consumer-crash-"));
  pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  await pool.query("SELECT 1");
  await redis.ping();
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await pool?.end();
  redis?.disconnect();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Kind = "kafka" | "amqp";
type StoreKind = "redis" | "postgres";

interface Setup {
  readonly env: Record<string, string>;
  readonly transport: Transport;
  readonly destination: string;
}

async function transportFor(kind: Kind, name: string, group: string): Promise<Setup> {
  const destination = `consumer-crash-${name}`;
  if (kind === "kafka") {
    const brokers = process.env.KAFKA_BROKERS!;
    const transport = createKafkaTransport({ brokers });
    await transport.ensureDestinations([{ name: destination, partitions: 3 }]);
    return { transport, destination, env: { TRANSPORT: kind, KAFKA_BROKERS: brokers } };
  }
  const url = process.env.AMQP_URL!;
  // One exchange for every run (exchanges do not expire); the queues are per run and expire.
  const exchange = "kytos.events.consumer-crash-test";
  const transport = createAmqpTransport({ url, exchange });
  await transport.ensureDestinations([{ name: destination, eventPrefixes: [""] }]);
  cleanups.push(() =>
    deleteQueues(url, [`${group}.${destination}`, `${destination}.dlq`, `${group}.${destination}.delay`]),
  );
  return { transport, destination, env: { TRANSPORT: kind, AMQP_URL: url, AMQP_EXCHANGE: exchange } };
}

async function deleteQueues(url: string, queues: readonly string[]): Promise<void> {
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
  } finally {
    await connection.close();
  }
}

async function storeFor(kind: StoreKind, name: string) {
  if (kind === "postgres") {
    const effects = `crash_effects_${name}`;
    const ids = `crash_ids_${name}`;
    await pool.query(
      `CREATE TABLE ${effects} (n bigserial PRIMARY KEY, event_id text NOT NULL, link text NOT NULL, sequence bigint NOT NULL)`,
    );
    cleanups.push(() => pool.query(`DROP TABLE IF EXISTS ${effects}, ${ids}`));
    return {
      env: { STORE: kind, DATABASE_URL: databaseUrl, ID_TABLE: ids, EFFECTS: effects },
      /** Side effects applied, and distinct events they belong to. */
      count: async () => {
        const r = await pool.query(`SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM ${effects}`);
        return { applied: Number(r.rows[0].n), distinct: Number(r.rows[0].d) };
      },
      /** Per link, the sequences in the order their effects were written. */
      order: async () => {
        const r = await pool.query(`SELECT link, sequence FROM ${effects} ORDER BY n`);
        const byLink = new Map<string, bigint[]>();
        for (const row of r.rows)
          byLink.set(row.link, [...(byLink.get(row.link) ?? []), BigInt(row.sequence)]);
        return byLink;
      },
    };
  }
  const effects = `kytos-events-test:crash:${name}:effects`;
  const prefix = `kytos-events-test:crash:${name}:ids:`;
  cleanups.push(async () => {
    const keys = await redis.keys(`kytos-events-test:crash:${name}:*`);
    if (keys.length > 0) await redis.del(...keys);
  });
  return {
    env: { STORE: kind, REDIS_URL: redisUrl, KEY_PREFIX: prefix, EFFECTS: effects },
    count: async () => {
      const values = await redis.hvals(effects);
      return { applied: values.reduce((n, v) => n + Number(v), 0), distinct: values.length };
    },
    order: undefined,
  };
}

function startConsumer(env: Record<string, string>): {
  child: ChildProcess;
  started: Promise<void>;
  exited: Promise<string>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@kytos-events/source", fixture], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => {
      children.delete(child);
      resolve(`exit ${signal ?? code}${stderr ? `; stderr:\n${stderr.slice(-2000)}` : ""}`);
    });
  });
  const started = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => {
      if (b.toString().includes("started")) resolve();
    });
    void exited.then((how) => reject(new Error(`consumer exited before starting: ${how}`)));
  });
  return { child, started, exited };
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function events(): Envelope[] {
  const random = seeded(11);
  return Array.from({ length: N }, (_, i) =>
    linkEvent(random() < 0.5, `link-${Math.floor(random() * LINKS)}`, {
      sequence: BigInt(i + 1),
      source: "ctl",
    }),
  );
}

function records(destination: string, envelopes: readonly Envelope[]): OutboundRecord[] {
  return envelopes.map((envelope) => {
    const { value, headers } = encodeEnvelope(envelope);
    return { destination, key: envelope.key, value, headers };
  });
}

describe.each<[Kind, StoreKind]>([
  ["kafka", "redis"],
  ["kafka", "postgres"],
  ["amqp", "redis"],
  ["amqp", "postgres"],
])("consumer killed mid-stream on %s with the %s store", (kind, storeKind) => {
  it("handles every event at least once and applies each side effect exactly once across two SIGKILLs", {
    timeout: 240_000,
  }, async () => {
    const name = `${kind}_${storeKind}_${run}`;
    const group = `consumer-crash-${name}`;
    const { transport, destination, env: transportEnv } = await transportFor(kind, name, group);
    cleanups.push(() => transport.close());
    const store = await storeFor(storeKind, name);
    const attemptsFile = join(dir, `${name}.attempts`);
    const env = {
      ...transportEnv,
      ...store.env,
      DESTINATION: destination,
      GROUP: group,
      ATTEMPTS_FILE: attemptsFile,
    };
    const all = events();

    let consumer = startConsumer(env);
    await consumer.started;
    const batch = records(destination, all);
    for (let i = 0; i < batch.length; i += 250) await transport.send(batch.slice(i, i + 250));

    const kills: number[] = [];
    for (const fraction of [1 / 3, 2 / 3]) {
      await waitFor(`${Math.round(fraction * 100)}% of the side effects`, 120_000, async () => {
        return (await store.count()).applied >= fraction * N;
      });
      consumer.child.kill("SIGKILL");
      await consumer.exited;
      kills.push((await store.count()).applied);
      consumer = startConsumer(env);
      await consumer.started;
    }
    await waitFor("every side effect", 180_000, async () => (await store.count()).distinct >= N);
    consumer.child.kill("SIGTERM");
    const how = await consumer.exited;
    expect(how).toMatch(/^exit 0/);

    const { applied, distinct } = await store.count();
    expect(distinct).toBe(N);
    expect(applied).toBe(N);

    const attempts = readFileSync(attemptsFile, "utf8").split("\n").filter(Boolean);
    const attempted = new Set(attempts);
    expect(attempted.size).toBe(N);
    for (const envelope of all) expect(attempted.has(envelope.id)).toBe(true);

    // Key-ordered concurrency survives the crashes: per link, effects in sequence order.
    if (store.order) {
      for (const [link, sequences] of await store.order()) {
        expect(sequences, link).toEqual([...sequences].sort((a, b) => (a < b ? -1 : 1)));
      }
    }
    console.log(
      `[consumer-crash] ${kind}/${storeKind}: ${N} events, killed at ${kills.join(" and ")} applied; ` +
        `${attempts.length} handler runs (${attempts.length - N} repeated after the kills), ${applied} side effects`,
    );
  });
});

describe.each<StoreKind>(["redis", "postgres"])(
  "consumer crashed mid-stream on the memory transport with the %s store",
  (storeKind) => {
    it("handles every event at least once and applies each side effect exactly once across two crashes", {
      timeout: 120_000,
    }, async () => {
      const name = `memory_${storeKind}_${run}`;
      const store = await storeFor(storeKind, name);
      const broker = createMemoryBroker();
      const producer = createMemoryTransport({ broker });
      const destination = "kytos.events";
      await producer.ensureDestinations([{ name: destination, partitions: 3 }]);
      const all = events();
      await producer.send(records(destination, all));
      const attempts: string[] = [];
      const redisClient = new Redis(redisUrl);
      cleanups.push(async () => redisClient.disconnect());
      let generation = 0;

      const start = async () => {
        const me = ++generation;
        // A crashed process runs nothing more: its handlers stop before their side effect.
        const alive = () => {
          if (me !== generation) throw new Error("crashed");
        };
        const delay = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
        let idempotency: RedisIdempotencyStore | PostgresIdempotencyStore;
        let handler: EventHandler<EventName>;
        if (storeKind === "redis") {
          const s = new RedisIdempotencyStore({ client: redisClient, keyPrefix: store.env.KEY_PREFIX! });
          idempotency = s;
          handler = s.withTransaction<EventName>(async (event, _ctx, tx) => {
            attempts.push(event.id);
            await delay();
            alive();
            tx.call("HINCRBY", store.env.EFFECTS!, event.id, 1);
          });
        } else {
          const s = new PostgresIdempotencyStore({ pool, table: store.env.ID_TABLE! });
          idempotency = s;
          handler = s.withTransaction<EventName>(async (event, _ctx, client) => {
            attempts.push(event.id);
            await delay();
            alive();
            await client.query(
              `INSERT INTO ${store.env.EFFECTS} (event_id, link, sequence) VALUES ($1, $2, $3)`,
              [event.id, event.key, String(event.sequence)],
            );
          });
        }
        const transport = createMemoryTransport({ broker });
        const consumer = createConsumer({
          transport,
          group: "crash",
          destinations: [destination],
          from: "beginning",
          concurrency: 8,
          maxInFlight: 64,
          idempotency,
          gaps: false,
        }).on("*", handler);
        await consumer.start();
        return { transport, consumer };
      };

      let current = await start();
      for (const fraction of [1 / 3, 2 / 3]) {
        await waitFor(`${Math.round(fraction * 100)}% of the side effects`, 60_000, async () => {
          return (await store.count()).applied >= fraction * N;
        });
        generation++; // the crash: handlers not past their commit never get there
        await current.transport.close(); // its unsettled records go back to the group
        current = await start();
      }
      await waitFor("every side effect", 60_000, async () => (await store.count()).distinct >= N);
      expect((await current.consumer.stop({ timeoutMs: 10_000 })).drained).toBe(true);

      const { applied, distinct } = await store.count();
      expect(distinct).toBe(N);
      expect(applied).toBe(N);
      expect(new Set(attempts).size).toBe(N);
      if (store.order) {
        for (const [link, sequences] of await store.order()) {
          expect(sequences, link).toEqual([...sequences].sort((a, b) => (a < b ? -1 : 1)));
        }
      }
      console.log(
        `[consumer-crash] memory/${storeKind}: ${N} events, ${attempts.length} handler runs ` +
          `(${attempts.length - N} repeated after the crashes), ${applied} side effects`,
      );
    });
  },
);
