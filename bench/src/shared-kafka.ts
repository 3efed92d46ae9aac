// One Kafka for every part of a run: KAFKA_BROKERS when set, else a broker started once by
// startKafka() and destroyed when the run ends (the parts that start their own see
// KAFKA_BROKERS set and reuse it), so a run pays the broker start once.
import { dirname, join } from "node:path";
import { type KafkaBroker, startKafka } from "@kytos-events/brokers";

let started: KafkaBroker | undefined;
let description = "";

/** The bootstrap brokers, comma-separated; starts the shared broker on the first call. */
export async function kafkaBrokers(): Promise<string> {
  const given = process.env.KAFKA_BROKERS;
  if (given !== undefined && given !== "") {
    description ||= `KAFKA_BROKERS=${given}`;
    return given;
  }
  started = await startKafka();
  description = `self-started Kafka ${started.version}`;
  process.env.KAFKA_BROKERS = started.brokers.join(",");
  return process.env.KAFKA_BROKERS;
}

export function kafkaDescription(): string {
  return description;
}

/** The self-started broker's log directory (topic-partition folders), to read bytes on disk. */
export function kafkaDataDir(): string | undefined {
  return started ? join(dirname(started.logFile), "data") : undefined;
}

export async function stopSharedKafka(): Promise<void> {
  if (started === undefined) return;
  delete process.env.KAFKA_BROKERS;
  await started.destroy();
  started = undefined;
}
