// The PostgreSQL store against the server on loopback (DATABASE_URL, database `test`). Each
// run uses its own tables and drops them afterwards.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HandlerContext, KytosEvent } from "../event.js";
import { PostgresIdempotencyStore } from "./index.js";

const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const suffix = randomUUID().replaceAll("-", "").slice(0, 12);
const table = `kytos_events_test_${suffix}`;
const effects = `kytos_events_test_effects_${suffix}`;
let pool: pg.Pool;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(`CREATE TABLE ${effects} (event_id text NOT NULL, note text)`);
});

afterAll(async () => {
  await pool.query(`DROP TABLE IF EXISTS ${table}, ${effects}, ${table}_b`);
  await pool.end();
});

const context = { attempt: 1 } as HandlerContext;
const asEvent = (id: string) => ({ id }) as KytosEvent as never;
const effectRows = async (id: string) =>
  Number((await pool.query(`SELECT count(*) AS n FROM ${effects} WHERE event_id = $1`, [id])).rows[0].n);

describe("PostgresIdempotencyStore", () => {
  it("creates its table, remembers marked ids (batches with repeats too) and answers many in order", async () => {
    const s = new PostgresIdempotencyStore({ pool, table });
    await s.markMany(["a", "b", "a"]);
    expect(await s.seen("a")).toBe(true);
    expect(await s.seenMany(["x", "b", "a", "y"])).toEqual([false, true, true, false]);
    const columns = await pool.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
      [table],
    );
    expect(columns.rows).toEqual([
      { column_name: "id", data_type: "text" },
      { column_name: "expires_at", data_type: "timestamp with time zone" },
    ]);
  });

  it("forgets ids after their TTL and purges them", async () => {
    const s = new PostgresIdempotencyStore({ pool, table });
    await s.markMany(["old-1", "old-2"], 30);
    const deadline = Date.now() + 2000;
    while ((await s.seen("old-1")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await s.seenMany(["old-1", "old-2"])).toEqual([false, false]);
    expect(await s.purgeExpired()).toBeGreaterThanOrEqual(2);
    const left = await pool.query(`SELECT id FROM ${table} WHERE id LIKE 'old-%'`);
    expect(left.rowCount).toBe(0);
  });

  it("commits a transactional handler's writes together with the id, once per event id", async () => {
    const s = new PostgresIdempotencyStore({ pool, table });
    const handler = s.withTransaction(async (event, _ctx, client) => {
      await client.query(`INSERT INTO ${effects} (event_id) VALUES ($1)`, [event.id]);
    });
    await handler(asEvent("t1"), context);
    await handler(asEvent("t1"), context); // a redelivery
    // Racing copies of one event on separate connections: the row lock lets one through.
    await Promise.all(Array.from({ length: 8 }, () => handler(asEvent("t2"), context)));
    expect(await effectRows("t1")).toBe(1);
    expect(await effectRows("t2")).toBe(1);
    expect(await s.seenMany(["t1", "t2"])).toEqual([true, true]);
  });

  it("rolls back the writes and the id when the handler throws, so the retry runs it again", async () => {
    const s = new PostgresIdempotencyStore({ pool, table });
    let fail = true;
    const handler = s.withTransaction(async (event, _ctx, client) => {
      await client.query(`INSERT INTO ${effects} (event_id) VALUES ($1)`, [event.id]);
      if (fail) throw new Error("downstream refused");
    });
    await expect(handler(asEvent("t3"), context)).rejects.toThrow("downstream refused");
    expect(await effectRows("t3")).toBe(0);
    expect(await s.seen("t3")).toBe(false);
    fail = false;
    await handler(asEvent("t3"), context);
    expect(await effectRows("t3")).toBe(1);
  });

  it("takes over an expired id in transactional mode", async () => {
    const s = new PostgresIdempotencyStore({ pool, table, ttlMs: 20 });
    const handler = s.withTransaction(async (event, _ctx, client) => {
      await client.query(`INSERT INTO ${effects} (event_id) VALUES ($1)`, [event.id]);
    });
    await handler(asEvent("t4"), context);
    const deadline = Date.now() + 2000;
    while ((await s.seen("t4")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await handler(asEvent("t4"), context);
    expect(await effectRows("t4")).toBe(2);
  });

  it("rejects a table name that is not an SQL identifier", () => {
    expect(() => new PostgresIdempotencyStore({ pool, table: "x; DROP TABLE y" })).toThrow(
      expect.objectContaining({ code: "KE_CONFIG_INVALID", message: expect.stringContaining("identifier") }),
    );
    expect(() => new PostgresIdempotencyStore({ pool, table: `public.${table}_b` })).not.toThrow();
  });

  it("fails with KE_STORE_UNAVAILABLE, naming PostgreSQL, when the server cannot be reached", async () => {
    const down = new pg.Pool({ host: "127.0.0.1", port: 1, user: "postgres", connectionTimeoutMillis: 1000 });
    const s = new PostgresIdempotencyStore({ pool: down, table });
    await expect(s.seenMany(["a"])).rejects.toMatchObject({
      code: "KE_STORE_UNAVAILABLE",
      message: expect.stringContaining("postgres idempotency store"),
    });
    const handler = s.withTransaction(async () => {});
    await expect(handler(asEvent("t5"), context)).rejects.toMatchObject({ code: "KE_STORE_UNAVAILABLE" });
    await down.end();
  });
});
