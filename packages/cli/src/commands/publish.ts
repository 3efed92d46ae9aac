// `kytos-events publish`: publish controller events from a JSON-lines file — each line either
// {"name": ..., "content": ...} or the kafka_events NApp's {"event": ..., "message": ...} — mapped
// to the typed schema, enveloped and routed like the producer does. Bad lines are reported
// with their line number and skipped; the rest are published.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  createEnvelope,
  encodeEnvelope,
  Header,
  type OutboundRecord,
  Router,
  SendError,
  SequenceCounter,
} from "@kytos-events/core";
import { type EventName, fromKytosJson, isEventName } from "@kytos-events/schema";
import { CliError, ExitCode } from "../cli-error.js";
import { connectionHelp, connectTransport, ensureDefaultDestinations } from "../connect.js";

export const publishHelp = `kytos-events publish --file FILE [options]
  Publish controller events from a JSON-lines file ({"name","content"} or {"event","message"} per line).

  --file FILE          the events ("-" for stdin)
  --source NAME        the envelope source (default kytos-events-cli)
  --format json|binary wire format (default binary Protobuf)
${connectionHelp}`;

function parseLine(line: string, n: number): { name: EventName; content: Record<string, unknown> } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new Error(`line ${n}: not JSON (${(e as Error).message})`);
  }
  const v = value as Record<string, unknown>;
  const name = (v.name ?? v.event) as unknown;
  const content = (v.content ?? v.message) as unknown;
  if (typeof name !== "string") throw new Error(`line ${n}: no "name" (or "event") string`);
  if (!isEventName(name)) throw new Error(`line ${n}: unknown event "${name}"`);
  if (typeof content !== "object" || content === null)
    throw new Error(`line ${n}: no "content" (or "message") object`);
  return { name, content: content as Record<string, unknown> };
}

export async function publish(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      file: { type: "string" },
      source: { type: "string", default: "kytos-events-cli" },
      format: { type: "string", default: "binary" },
      transport: { type: "string" },
      brokers: { type: "string" },
      url: { type: "string" },
    },
    strict: true,
  });
  if (!values.file) throw new CliError("publish needs --file FILE (JSON lines).");
  if (values.format !== "binary" && values.format !== "json")
    throw new CliError(`--format must be binary or json, got "${values.format}".`);
  let text: string;
  try {
    text = readFileSync(values.file === "-" ? 0 : values.file, "utf8");
  } catch (e) {
    throw new CliError(`cannot read ${values.file}: ${(e as Error).message}`);
  }
  const router = new Router();
  const sequence = new SequenceCounter();
  const records: OutboundRecord[] = [];
  let events = 0;
  let rejected = 0;
  const transport = await connectTransport(values);
  try {
    await ensureDefaultDestinations(transport);
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        const { name, content } = parseLine(line, i + 1);
        const envelope = createEnvelope({
          type: name,
          payload: fromKytosJson(name, content),
          source: values.source,
          sequence: sequence.next(),
        });
        const { value, headers } = encodeEnvelope(envelope, values.format as "binary" | "json");
        for (const destination of router.route(name, transport.capabilities.fanout))
          records.push({ destination, key: envelope.key, value, headers });
        events++;
      } catch (e) {
        rejected++;
        err(
          (e as Error).message.startsWith("line ")
            ? (e as Error).message
            : `line ${i + 1}: ${(e as Error).message}`,
        );
      }
    });
    let refused = 0;
    for (let i = 0; i < records.length; i += 500) {
      try {
        await transport.send(records.slice(i, i + 500));
      } catch (e) {
        if (!(e instanceof SendError) || e.failures.some((f) => f.retriable)) {
          throw new CliError(
            `publishing stopped after ${i} records: ${(e as Error).message}`,
            ExitCode.Transport,
          );
        }
        // Refused for good (e.g. no queue bound on RabbitMQ): report each, keep going.
        for (const f of e.failures)
          err(
            `record ${i + f.index} (${records[i + f.index]!.headers[Header.EventType]}): ${f.error.message}`,
          );
        refused += e.failures.length;
      }
    }
    out(
      `published ${records.length - refused} of ${records.length} records (${events} events) to ${transport.kind}; ` +
        `${rejected} lines rejected, ${refused} records refused by the broker`,
    );
    return rejected + refused > 0 ? ExitCode.Partial : ExitCode.Ok;
  } finally {
    await transport.close();
  }
}
