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

/**
 * How a command's own consumer group lives on RabbitMQ. A private group (an ad-hoc tail, a
 * links read) is the CLI's alone: its queues are classic (no Raft group for a throwaway
 * reader) and expire `expiresMs` after the CLI stops consuming, even if it is killed. Its dead
 * letters go to a queue of its own too, so none of its declarations touches a queue shared
 * with long-lived groups (their `<destination>.dlq` has no expiry: declaring it with one would
 * be refused as a conflict, or would make it expire).
 */
export interface PrivateGroup {
  readonly expiresMs: number;
}

/** A private group's queues outlive the CLI by this long (long enough for a reconnect). */
export const PRIVATE_QUEUE_EXPIRES_MS = 30_000;

export const connectionHelp = `Connection:
  --transport kafka|amqp   default: kafka if --brokers or KAFKA_BROKERS is set, else amqp if --url or AMQP_URL is set
  --brokers host:port,...  Kafka bootstrap brokers (default: KAFKA_BROKERS)
  --url amqp://...         RabbitMQ URL (default: AMQP_URL)`;

export async function connectTransport(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
  privateGroup?: PrivateGroup,
): Promise<Transport> {
  const brokers = flags.brokers ?? env.KAFKA_BROKERS;
  const url = flags.url ?? env.AMQP_URL;
  const kind = flags.transport ?? (brokers ? "kafka" : url ? "amqp" : undefined);
  let transport: Transport;
  try {
    if (kind === "kafka") {
      if (!brokers) throw new CliError("--transport kafka needs --brokers or KAFKA_BROKERS.");
      transport = createKafkaTransport({ brokers, clientId: "kytos-events-cli" });
    } else if (kind === "amqp") {
      transport = createAmqpTransport({
        ...(url ? { url } : {}),
        ...(privateGroup ? { queueType: "classic", queueExpiresMs: privateGroup.expiresMs } : {}),
      });
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

/** `--queue-expires MS`, validated; the default when absent. */
export function parseQueueExpires(value: string | undefined): number {
  if (value === undefined) return PRIVATE_QUEUE_EXPIRES_MS;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1)
    throw new CliError(`--queue-expires must be a positive whole number of ms, got "${value}".`);
  return ms;
}

/** Subscription options that keep a private group's dead letters in a queue of its own. */
export const privateDeadLetters = (group: string): { deadLetterDestination: string } => ({
  deadLetterDestination: `${group}.dlq`,
});

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
