// What BAPM records per event, inside the transaction the consumer's PostgreSQL store opened
// for it (so the rows and the event id commit together). The current-state rows move only
// to a newer event of their circuit or link — newer by the controller's sequence from the
// same source, else by time — so a late redelivery never rolls a state back; the counters and
// the history take every event once.
import type { KytosEventOf } from "@kytos-events/consumer";
import type { EventName } from "@kytos-events/schema";
import type { PoolClient } from "pg";
import type { BapmTables } from "./tables.js";

/** The EVC lifecycle events BAPM records, and the state each leaves the circuit in. */
export const circuitEvents = [
  "kytos/mef_eline.created",
  "kytos/mef_eline.updated",
  "kytos/mef_eline.deployed",
  "kytos/mef_eline.undeployed",
  "kytos/mef_eline.redeployed_link_down",
  "kytos/mef_eline.redeployed_link_up",
  "kytos/mef_eline.error_redeploy_link_down",
  "kytos/mef_eline.deleted",
] as const satisfies readonly EventName[];

export type CircuitEventName = (typeof circuitEvents)[number];

export const linkEvents = [
  "kytos/topology.link_up",
  "kytos/topology.link_down",
] as const satisfies readonly EventName[];

export type LinkEventName = (typeof linkEvents)[number];

function circuitState(event: KytosEventOf<CircuitEventName>): string {
  const active = event.payload.evc?.active === true;
  switch (event.name) {
    case "kytos/mef_eline.created":
      return "created";
    case "kytos/mef_eline.deleted":
      return "removed";
    case "kytos/mef_eline.undeployed":
      return "undeployed";
    case "kytos/mef_eline.error_redeploy_link_down":
      return "down";
    default:
      return active ? "active" : "down";
  }
}

// The row's (source, sequence, occurred_at) against the incoming event's ($src, $seq, $at).
const newer = (row: string, src: string, seq: string, at: string) =>
  `(${row}.source = ${src} AND ${seq} > ${row}.sequence) OR ` +
  `(${row}.source <> ${src} AND ${at} >= ${row}.occurred_at)`;

export async function recordCircuitEvent(
  client: PoolClient,
  t: BapmTables,
  event: KytosEventOf<CircuitEventName>,
): Promise<void> {
  const evc = event.payload.evc;
  const state = circuitState(event);
  const count = (names: readonly string[]) => (names.includes(event.name) ? 1 : 0);
  const values = [
    event.key,
    evc?.name ?? "",
    state,
    evc?.uniA?.interfaceId ?? "",
    evc?.uniZ?.interfaceId ?? "",
    count(["kytos/mef_eline.deployed"]),
    count(["kytos/mef_eline.redeployed_link_down", "kytos/mef_eline.redeployed_link_up"]),
    count(["kytos/mef_eline.error_redeploy_link_down"]),
    event.name,
    event.source,
    event.sequence.toString(),
    event.occurredAt ?? null,
  ];
  await client.query(
    `INSERT INTO ${t.circuit} AS c (evc_id, name, state, uni_a, uni_z, deployments, redeployments, failures,
       last_event, source, sequence, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (evc_id) DO UPDATE SET
       deployments = c.deployments + EXCLUDED.deployments,
       redeployments = c.redeployments + EXCLUDED.redeployments,
       failures = c.failures + EXCLUDED.failures`,
    values,
  );
  await client.query(
    `UPDATE ${t.circuit} AS c SET name = $2, state = $3, uni_a = $4, uni_z = $5, last_event = $6,
       source = $7, sequence = $8, occurred_at = $9
     WHERE c.evc_id = $1 AND (${newer("c", "$7", "$8::bigint", "$9::timestamptz")})`,
    [values[0], values[1], state, values[3], values[4], event.name, event.source, values[10], values[11]],
  );
  await client.query(
    `INSERT INTO ${t.circuitEvent} (event_id, evc_id, event, state, source, sequence, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [event.id, event.key, event.name, state, event.source, values[10], values[11]],
  );
}

export async function recordLinkEvent(
  client: PoolClient,
  t: BapmTables,
  event: KytosEventOf<LinkEventName>,
): Promise<void> {
  const status = event.name === "kytos/topology.link_up" ? "up" : "down";
  const linkName = event.payload.link?.metadata?.link_name;
  const name = typeof linkName === "string" ? linkName : event.key;
  const sequence = event.sequence.toString();
  const at = event.occurredAt ?? null;
  await client.query(
    `INSERT INTO ${t.link} AS l (link_id, name, status, downs, last_event, source, sequence, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (link_id) DO UPDATE SET downs = l.downs + EXCLUDED.downs`,
    [event.key, name, status, status === "down" ? 1 : 0, event.name, event.source, sequence, at],
  );
  await client.query(
    `UPDATE ${t.link} AS l SET name = $2, status = $3, last_event = $4, source = $5, sequence = $6, occurred_at = $7
     WHERE l.link_id = $1 AND (${newer("l", "$5", "$6::bigint", "$7::timestamptz")})`,
    [event.key, name, status, event.name, event.source, sequence, at],
  );
  await client.query(
    `INSERT INTO ${t.linkEvent} (event_id, link_id, status, reason, source, sequence, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [event.id, event.key, status, event.payload.reason, event.source, sequence, at],
  );
}
