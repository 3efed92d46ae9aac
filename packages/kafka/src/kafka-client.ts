// The one place that turns our resolved config into a kafkajs client: connection, TLS, SASL,
// logging and retry timing. Credentials go to kafkajs and nowhere else.
import { Kafka, type KafkaConfig, type RetryOptions, type SASLOptions } from "kafkajs";
import type { ResolvedKafkaConfig } from "./config.js";
import { kafkaLogCreator } from "./log-creator.js";

const INITIAL_RETRY_MS = 100;

/**
 * Bounded retries so a dead broker turns into a retriable failure after about
 * `sendRetryTimeMs` (the producer's outage buffer then holds events) instead of an operation
 * that never returns. kafkajs doubles each wait (with ±20 % jitter) up to the cap.
 */
export function retryOptions(config: ResolvedKafkaConfig): RetryOptions {
  const budget = config.sendRetryTimeMs;
  const maxRetryTime = Math.max(INITIAL_RETRY_MS, Math.min(2000, budget / 4));
  let retries = 0;
  for (let spent = 0, wait = INITIAL_RETRY_MS; spent < budget; retries++) {
    spent += wait;
    wait = Math.min(maxRetryTime, wait * 2);
  }
  return { initialRetryTime: INITIAL_RETRY_MS, maxRetryTime, retries: Math.max(1, retries) };
}

export function createKafkaClient(config: ResolvedKafkaConfig): Kafka {
  const options: KafkaConfig = {
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    logCreator: kafkaLogCreator(config.logger),
    retry: retryOptions(config),
  };
  if (config.tls === true) options.ssl = true;
  else if (config.tls) {
    const { ca, cert, key, rejectUnauthorized, servername } = config.tls;
    options.ssl = {
      ...(ca !== undefined ? { ca: Array.isArray(ca) ? [...ca] : [ca as string | Buffer] } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(rejectUnauthorized !== undefined ? { rejectUnauthorized } : {}),
      ...(servername !== undefined ? { servername } : {}),
    };
  }
  if (config.sasl) {
    const { mechanism, username, password } = config.sasl;
    options.sasl = { mechanism, username, password } as SASLOptions;
  }
  return new Kafka(options);
}
