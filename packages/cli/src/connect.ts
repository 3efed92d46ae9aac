// Which broker a command talks to: `--transport kafka|amqp` with `--brokers`/`--url`, falling
// back to KAFKA_BROKERS / AMQP_URL. Connects before the command starts so a wrong address or
// password fails at once with the transport's own explanation.
import { createAmqpTransport } from "@kytos-events/amqp";
import { isKytosEventsError, Router, type Transport } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import { CliError, ExitCode } from "./cli-error.js";

export interface ConnectionFlags {
  readonly transport?: string | undefined;
  readonly brokers?: string | undefined;
  readonly url?: string | undefined;
}

export const connectionHelp = `Connection:
  --transport kafka|amqp   default: kafka if --brokers or KAFKA_BROKERS is set, else amqp if --url or AMQP_URL is set
  --brokers host:port,...  Kafka bootstrap brokers (default: KAFKA_BROKERS)
  --url amqp://...         RabbitMQ URL (default: AMQP_URL)`;

export async function connectTransport(flags: ConnectionFlags, env = process.env): Promise<Transport> {
  const brokers = flags.brokers ?? env.KAFKA_BROKERS;
  const url = flags.url ?? env.AMQP_URL;
  const kind = flags.transport ?? (brokers ? "kafka" : url ? "amqp" : undefined);
  let transport: Transport;
  try {
    if (kind === "kafka") {
      if (!brokers) throw new CliError("--transport kafka needs --brokers or KAFKA_BROKERS.");
      transport = createKafkaTransport({ brokers, clientId: "kytos-events-cli" });
    } else if (kind === "amqp") {
      transport = createAmqpTransport(url ? { url } : {});
    } else if (kind === undefined) {
      throw new CliError(
        "no broker given: pass --brokers (Kafka) or --url (RabbitMQ), or set KAFKA_BROKERS / AMQP_URL.",
      );
    } else {
      throw new CliError(`--transport must be kafka or amqp, got "${kind}".`);
    }
    await transport.connect();
    return transport;
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (isKytosEventsError(err) && err.code === "KE_CONFIG_INVALID")
      throw new CliError(err.message, ExitCode.Usage);
    throw new CliError((err as Error).message, ExitCode.Transport);
  }
}

/** Makes sure the destinations the default routing uses exist (and, for RabbitMQ, are known). */
export async function ensureDefaultDestinations(
  transport: Transport,
  only?: readonly string[],
): Promise<void> {
  const specs = new Router()
    .destinationSpecs()
    .filter((s) => !only || only.includes(s.name) || only.some((o) => s.name === o));
  const missing = only?.filter((o) => !specs.some((s) => s.name === o)) ?? [];
  await transport.ensureDestinations([...specs, ...missing.map((name) => ({ name, partitions: 1 }))]);
}
