// `kytos-events tail`: follow a destination and print every event decoded. It reads in a
// group of its own (unique per run unless --group is given), so it never moves the position
// of a real consumer group; on RabbitMQ that private group's queues expire after the run.
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { decodeEnvelope, EventFilter } from "@kytos-events/core";
import { CliError } from "../cli-error.js";
import {
  connectionHelp,
  connectTransport,
  ensureDefaultDestinations,
  PRIVATE_QUEUE_EXPIRES_MS,
  parseQueueExpires,
  privateDeadLetters,
} from "../connect.js";
import { formatEvent, parseFormat } from "../format.js";

export const tailHelp = `kytos-events tail [options]
  Print decoded events from a destination as they arrive.

  --destination NAME   default kytos.events (every event); e.g. kytos.topology, kytos.status.link
  --from-beginning     start at the oldest retained event (default: new events only)
  --allow REGEX        only event names matching (anchored; repeatable)
  --deny REGEX         drop event names matching (anchored; repeatable)
  --format json|table  default json (one object per line)
  --group NAME         consume in this group (commits its position); default: a private group per run
  --queue-expires MS   RabbitMQ: a private group's queues are deleted MS ms after tail stops
                       (default ${PRIVATE_QUEUE_EXPIRES_MS}); a --group's queues are durable and kept
  --max N              exit after N events
  --idle-exit MS       exit after MS milliseconds without an event
${connectionHelp}`;

export async function tail(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      destination: { type: "string", default: "kytos.events" },
      "from-beginning": { type: "boolean", default: false },
      allow: { type: "string", multiple: true },
      deny: { type: "string", multiple: true },
      format: { type: "string" },
      group: { type: "string" },
      max: { type: "string" },
      "idle-exit": { type: "string" },
      "queue-expires": { type: "string" },
      transport: { type: "string" },
      brokers: { type: "string" },
      url: { type: "string" },
    },
    strict: true,
  });
  const format = parseFormat(values.format);
  const filter = new EventFilter({ allow: values.allow ?? [], deny: values.deny ?? [] });
  const max = values.max === undefined ? Number.POSITIVE_INFINITY : Number(values.max);
  const idle = values["idle-exit"] === undefined ? undefined : Number(values["idle-exit"]);
  if (!(max > 0)) throw new CliError(`--max must be a positive number, got "${values.max}".`);
  if (idle !== undefined && !(idle > 0))
    throw new CliError(`--idle-exit must be a positive number of ms, got "${values["idle-exit"]}".`);

  const expiresMs = parseQueueExpires(values["queue-expires"]);
  const group = values.group ?? `kytos-events-tail-${randomUUID()}`;
  const isPrivate = values.group === undefined;
  const transport = await connectTransport(values, process.env, isPrivate ? { expiresMs } : undefined);
  try {
    await ensureDefaultDestinations(transport, [values.destination]);
    const subscription = await transport.subscribe({
      group,
      destinations: [values.destination],
      fromBeginning: values["from-beginning"],
      maxInFlight: 512,
      ...(isPrivate ? privateDeadLetters(group) : {}),
    });
    err(`tail: listening on ${values.destination} as group ${group} (${transport.kind})`);
    let printed = 0;
    let timer: NodeJS.Timeout | undefined;
    const armIdle = () => {
      if (idle === undefined) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void subscription.close(), idle);
    };
    armIdle();
    for await (const record of subscription) {
      armIdle();
      const result = decodeEnvelope(record.value, record.headers);
      if (!result.ok) {
        err(`undecodable record on ${record.destination} (${result.reason}): ${result.error.message}`);
      } else if (filter.accepts(result.envelope.type)) {
        out(formatEvent(result.envelope, record.destination, format));
        printed++;
      }
      await record.ack().catch(() => {});
      if (printed >= max) break;
    }
    if (timer) clearTimeout(timer);
    await subscription.close();
    return 0;
  } finally {
    await transport.close();
  }
}
