// A consumer application process for the crash test, meant to be killed (SIGKILL) mid-stream.
// It reads DESTINATION in GROUP with the consumer SDK (concurrency, an idempotency store) and
// applies one side effect per event in the store's transactional mode: a row in the
// PostgreSQL table EFFECTS, or a field of the Redis hash EFFECTS incremented. On entry the
// handler appends the event id to ATTEMPTS_FILE (so the test can tell how often each event
// reached a handler), then works for up to MAX_DELAY_MS before its side effect, so a kill
// often lands between a handler's start and its commit.
//
// Run from the repository root: node --import tsx --conditions=@kytos-events/source
// packages/consumer/test-fixtures/consume.ts (node itself, so SIGKILL hits the consumer).
//
// Env: TRANSPORT (kafka | amqp), KAFKA_BROKERS or AMQP_URL + AMQP_EXCHANGE, DESTINATION,
// GROUP, STORE (redis | postgres), REDIS_URL / DATABASE_URL, ID_TABLE (postgres ids table),
// KEY_PREFIX (redis ids), EFFECTS, ATTEMPTS_FILE; MAX_DELAY_MS (default 5).
import { appendFileSync } from "node:fs";
import { createAmqpTransport } from "@kytos-events/amqp";
import type { Transport } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import type { EventName } from "@kytos-events/schema";
import { Redis } from "ioredis";
import pg from "pg";
import { createConsumer, type EventHandler } from "../src/index.js";
import { PostgresIdempotencyStore } from "../src/postgres/index.js";
import { RedisIdempotencyStore } from "../src/redis/index.js";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`consume.ts: set ${name} (see the header of this file).`);
  return value;
}

const destination = required("DESTINATION");
const effects = required("EFFECTS");
const attemptsFile = required("ATTEMPTS_FILE");
const maxDelayMs = Number(process.env.MAX_DELAY_MS ?? 5);

let transport: Transport;
if (required("TRANSPORT") === "kafka") {
  transport = createKafkaTransport({
    brokers: required("KAFKA_BROKERS"),
    clientId: `consumer-crash-${process.pid}`,
    // The broker's minimum session: a killed member leaves the group quickly.
    consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, commitIntervalMs: 50 },
  });
} else {
  transport = createAmqpTransport({
    url: required("AMQP_URL"),
    exchange: required("AMQP_EXCHANGE"),
    queueExpiresMs: 5 * 60_000,
  });
  await transport.ensureDestinations([{ name: destination, eventPrefixes: [""] }]);
}

const delay = () => new Promise((resolve) => setTimeout(resolve, Math.random() * maxDelayMs));
const attempted = (id: string) => appendFileSync(attemptsFile, `${id}\n`);

let handler: EventHandler<EventName>;
let idempotency: RedisIdempotencyStore | PostgresIdempotencyStore;
let close: () => Promise<void>;
if (required("STORE") === "redis") {
  const client = new Redis(required("REDIS_URL"));
  const store = new RedisIdempotencyStore({ client, keyPrefix: required("KEY_PREFIX") });
  idempotency = store;
  handler = store.withTransaction<EventName>(async (event, _ctx, tx) => {
    attempted(event.id);
    await delay();
    tx.call("HINCRBY", effects, event.id, 1);
  });
  close = async () => {
    await client.quit();
  };
} else {
  const pool = new pg.Pool({ connectionString: required("DATABASE_URL"), max: 10 });
  const store = new PostgresIdempotencyStore({ pool, table: required("ID_TABLE") });
  idempotency = store;
  handler = store.withTransaction<EventName>(async (event, _ctx, client) => {
    attempted(event.id);
    await delay();
    await client.query(`INSERT INTO ${effects} (event_id, link, sequence) VALUES ($1, $2, $3)`, [
      event.id,
      event.key,
      String(event.sequence),
    ]);
  });
  close = () => pool.end();
}

const consumer = createConsumer({
  transport,
  group: required("GROUP"),
  destinations: [destination],
  from: "beginning",
  concurrency: 8,
  maxInFlight: 64,
  idempotency,
  gaps: false,
}).on("*", handler);

process.on("SIGTERM", () => {
  void (async () => {
    await consumer.stop({ timeoutMs: 5000 });
    await transport.close();
    await close();
    process.exit(0);
  })();
});
await consumer.start();
process.stdout.write("started\n");
