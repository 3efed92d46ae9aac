// The application side of a fault scenario, as its own process: the consumer SDK reading the
// scenario's stream in a group, with the Redis idempotency store. The handler's side effects
// go through the store's transaction (applied atomically with the mark of the event id, or
// not at all for a redelivery), under the key prefix PREFIX:
//   PREFIX:effects  hash  event id → times its effect was applied (exactly once: all 1)
//   PREFIX:seq      hash  sequence → times applied (zero lost: every sequence present)
//   PREFIX:log:<key> list  sequences of that key in the order their effects were applied
// and, outside the transaction, PREFIX:runs counts every handler run (runs − applied = the
// redeliveries the transaction turned away) and PREFIX:gaps lists the gap events raised.
// So the test checks from Redis what happened, not from a process that may have been killed.
// Reports (JSON lines): "started", "status" every 250 ms (the SDK's stats), "stopped".
//
// Env: TRANSPORT and its broker settings (transport-env.ts), DESTINATION, GROUP, REDIS_URL,
// PREFIX, CONCURRENCY (default 16), GAP_REORDER_WINDOW_MS, GAP_MAX_PENDING and GAP_LANE_IDLE_MS
// (default: the SDK's).
import { createConsumer } from "@kytos-events/consumer";
import { RedisIdempotencyStore } from "@kytos-events/consumer/redis";
import type { EventName } from "@kytos-events/schema";
import { Redis } from "ioredis";
import { consumerTransport, required, transportKind } from "./transport-env.js";

const prefix = required("PREFIX");
const destination = required("DESTINATION");
const report = (kind: string, fields: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ kind, pid: process.pid, ...fields })}\n`);

const redis = new Redis(required("REDIS_URL"), { maxRetriesPerRequest: null });
// Ids are remembered longer than any scenario runs, then expire on their own.
const store = new RedisIdempotencyStore({ client: redis, keyPrefix: `${prefix}:id:`, ttlMs: 30 * 60_000 });
const transport = consumerTransport();

const handler = store.withTransaction<EventName>((event, _context, tx) => {
  // Sent on the same connection before the transaction's script, so it is counted if that is.
  void redis.incr(`${prefix}:runs`);
  const sequence = event.sequence.toString();
  tx.call("HINCRBY", `${prefix}:effects`, event.id, 1)
    .call("HINCRBY", `${prefix}:seq`, sequence, 1)
    .call("RPUSH", `${prefix}:log:${event.key}`, sequence);
});

const consumer = createConsumer({
  transport,
  group: required("GROUP"),
  destinations: [destination],
  from: "beginning",
  concurrency: Number(process.env.CONCURRENCY ?? 16),
  idempotency: store,
  gaps: {
    ...(process.env.GAP_REORDER_WINDOW_MS
      ? { reorderWindowMs: Number(process.env.GAP_REORDER_WINDOW_MS) }
      : {}),
    ...(process.env.GAP_MAX_PENDING ? { maxPending: Number(process.env.GAP_MAX_PENDING) } : {}),
    ...(process.env.GAP_LANE_IDLE_MS ? { laneIdleMs: Number(process.env.GAP_LANE_IDLE_MS) } : {}),
  },
})
  .on("*", handler)
  .onGap(async (gap) => {
    const fields = { source: gap.source, from: String(gap.from), to: String(gap.to) };
    report("gap", fields);
    await redis.rpush(`${prefix}:gaps`, JSON.stringify({ pid: process.pid, ...fields }));
  });

const status = setInterval(() => report("status", { ...consumer.stats() }), 250);

process.on("SIGTERM", () => {
  void (async () => {
    const stop = await consumer.stop({ timeoutMs: 10_000 });
    clearInterval(status);
    await transport.close();
    report("stopped", { ...stop, ...consumer.stats() });
    await redis.quit();
    process.exit(0);
  })();
});

// RabbitMQ binds the group's queue by the destination's event prefixes (Kafka: the test made the topic).
if (transportKind() === "amqp")
  await transport.ensureDestinations([{ name: destination, eventPrefixes: [""] }]);
await consumer.start();
report("started", {});
