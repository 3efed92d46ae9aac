// `kytos-events links`: the current state of every link, read from the compacted link-status
// destination from the beginning (no history replay beyond what compaction kept), latest by
// sequence per link. It reads in a private group whose RabbitMQ queues expire after the run.
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { decodeEnvelope } from "@kytos-events/core";
import { getEventDescriptor } from "@kytos-events/schema";
import { CliError } from "../cli-error.js";
import {
  connectionHelp,
  connectTransport,
  ensureDefaultDestinations,
  PRIVATE_QUEUE_EXPIRES_MS,
  parseQueueExpires,
  privateDeadLetters,
} from "../connect.js";

export const linksHelp = `kytos-events links [options]
  Print the latest state of every link from the compacted status destination.

  --destination NAME   default kytos.status.link
  --idle-ms MS         stop reading after MS ms without a record (default 2000)
  --json               one JSON object per link instead of a table
  --queue-expires MS   RabbitMQ: this run's queues are deleted MS ms after it stops (default ${PRIVATE_QUEUE_EXPIRES_MS})
${connectionHelp}`;

interface LinkState {
  id: string;
  state: string;
  event: string;
  sequence: bigint;
  at: string;
}

export async function links(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      destination: { type: "string", default: "kytos.status.link" },
      "idle-ms": { type: "string", default: "2000" },
      json: { type: "boolean", default: false },
      "queue-expires": { type: "string" },
      transport: { type: "string" },
      brokers: { type: "string" },
      url: { type: "string" },
    },
    strict: true,
  });
  const idle = Number(values["idle-ms"]);
  if (!(idle > 0)) throw new CliError(`--idle-ms must be a positive number, got "${values["idle-ms"]}".`);
  const expiresMs = parseQueueExpires(values["queue-expires"]);
  const group = `kytos-events-links-${randomUUID()}`;
  const transport = await connectTransport(values, process.env, { expiresMs });
  const table = new Map<string, LinkState>();
  try {
    await ensureDefaultDestinations(transport, [values.destination]);
    const subscription = await transport.subscribe({
      group,
      destinations: [values.destination],
      fromBeginning: true,
      maxInFlight: 2048,
      ...privateDeadLetters(group),
    });
    err(`links: reading ${values.destination} as group ${group} (${transport.kind})`);
    let timer = setTimeout(() => void subscription.close(), idle);
    for await (const record of subscription) {
      clearTimeout(timer);
      timer = setTimeout(() => void subscription.close(), idle);
      const result = decodeEnvelope(record.value, record.headers);
      await record.ack().catch(() => {});
      if (!result.ok || !result.envelope.key) continue;
      const env = result.envelope;
      const status = getEventDescriptor(env.type as never).status;
      if (status?.entity !== "link") continue;
      const known = table.get(env.key);
      if (known && known.sequence > env.sequence) continue;
      table.set(env.key, {
        id: env.key,
        state: status.state,
        event: env.type,
        sequence: env.sequence,
        at: env.occurredAt ? new Date(timestampMs(env.occurredAt)).toISOString() : "-",
      });
    }
    clearTimeout(timer);
  } finally {
    await transport.close();
  }
  const rows = [...table.values()].sort((a, b) => a.id.localeCompare(b.id));
  if (values.json) {
    for (const r of rows) out(JSON.stringify({ ...r, sequence: String(r.sequence) }));
  } else {
    out(`${"LINK".padEnd(66)}  ${"STATE".padEnd(9)}  AT`);
    for (const r of rows) out(`${r.id.padEnd(66)}  ${r.state.padEnd(9)}  ${r.at}`);
    out(
      `${rows.length} links: ${rows.filter((r) => r.state === "up").length} up, ${rows.filter((r) => r.state === "down").length} down`,
    );
  }
  return 0;
}
