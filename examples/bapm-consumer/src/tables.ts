// BAPM's tables in PostgreSQL, named from a prefix (default "bapm_"), created if missing:
//   <prefix>circuit          one row per EVC: its current state and lifecycle counters
//   <prefix>circuit_event    every EVC lifecycle event recorded, one row each
//   <prefix>link             one row per link: its status and how often it went down
//   <prefix>link_event       every link up/down recorded, one row each
//   <prefix>handled          the event ids already applied (the consumer's PostgreSQL store)
// The *_event tables have no unique constraint on the event id on purpose: a row applied
// twice would show, so counting rows is a fair test of effectively-once processing.
import type { Pool } from "pg";

export interface BapmTables {
  readonly circuit: string;
  readonly circuitEvent: string;
  readonly link: string;
  readonly linkEvent: string;
  readonly handled: string;
}

const PREFIX = /^[a-z_][a-z0-9_]{0,40}$/;

export function bapmTables(prefix = "bapm_"): BapmTables {
  if (!PREFIX.test(prefix)) {
    throw new RangeError(`table prefix "${prefix}" must be lower-case letters, digits and "_" (at most 41).`);
  }
  return {
    circuit: `${prefix}circuit`,
    circuitEvent: `${prefix}circuit_event`,
    link: `${prefix}link`,
    linkEvent: `${prefix}link_event`,
    handled: `${prefix}handled`,
  };
}

export async function createTables(pool: Pool, t: BapmTables): Promise<void> {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS ${t.circuit} (
      evc_id text PRIMARY KEY,
      name text NOT NULL,
      state text NOT NULL,
      uni_a text NOT NULL,
      uni_z text NOT NULL,
      deployments integer NOT NULL DEFAULT 0,
      redeployments integer NOT NULL DEFAULT 0,
      failures integer NOT NULL DEFAULT 0,
      last_event text NOT NULL,
      source text NOT NULL,
      sequence bigint NOT NULL,
      occurred_at timestamptz
    );
    CREATE TABLE IF NOT EXISTS ${t.circuitEvent} (
      n bigserial PRIMARY KEY,
      event_id text NOT NULL,
      evc_id text NOT NULL,
      event text NOT NULL,
      state text NOT NULL,
      source text NOT NULL,
      sequence bigint NOT NULL,
      occurred_at timestamptz
    );
    CREATE TABLE IF NOT EXISTS ${t.link} (
      link_id text PRIMARY KEY,
      name text NOT NULL,
      status text NOT NULL,
      downs integer NOT NULL DEFAULT 0,
      last_event text NOT NULL,
      source text NOT NULL,
      sequence bigint NOT NULL,
      occurred_at timestamptz
    );
    CREATE TABLE IF NOT EXISTS ${t.linkEvent} (
      n bigserial PRIMARY KEY,
      event_id text NOT NULL,
      link_id text NOT NULL,
      status text NOT NULL,
      reason text NOT NULL,
      source text NOT NULL,
      sequence bigint NOT NULL,
      occurred_at timestamptz
    );`);
}
