// Makes sure the RabbitMQ the tests use is up: connect, and if nothing listens and this
// machine has rabbitmq-server, start it detached and wait until it accepts connections.
import { spawnSync } from "node:child_process";
import { connect } from "amqplib";
import { maskUrl } from "./mask-url.js";

export const DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";

export interface RabbitMQInfo {
  readonly url: string;
  /** The broker's product version, from the connection's server properties. */
  readonly version: string;
  /** True when this call started the server. */
  readonly started: boolean;
}

async function probe(url: string): Promise<string> {
  const conn = await connect(url, { timeout: 2000 });
  try {
    const props = conn.connection.serverProperties as { version?: string } | undefined;
    return props?.version ?? "unknown";
  } finally {
    await conn.close().catch(() => {});
  }
}

function isRefused(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "ECONNREFUSED" || code === "ECONNRESET" || code === "ETIMEDOUT";
}

export async function ensureRabbitMQ(url = DEFAULT_AMQP_URL, timeoutMs = 60_000): Promise<RabbitMQInfo> {
  try {
    return { url, version: await probe(url), started: false };
  } catch (err) {
    if (!isRefused(err)) {
      throw new Error(
        `RabbitMQ at ${maskUrl(url)} refused the connection: ${(err as Error).message}. Check AMQP_URL's credentials and vhost.`,
      );
    }
  }
  const started = spawnSync("rabbitmq-server", ["-detached"], { stdio: "ignore" });
  if (started.error) {
    throw new Error(
      `RabbitMQ is not reachable at ${maskUrl(url)} and rabbitmq-server is not installed here: ` +
        "start a RabbitMQ (or `docker compose up -d rabbitmq`) and set AMQP_URL.",
    );
  }
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return { url, version: await probe(url), started: true };
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(
    `started rabbitmq-server but ${maskUrl(url)} did not accept a connection within ${timeoutMs} ms ` +
      `(last error: ${(last as Error | undefined)?.message}). See the RabbitMQ log under /var/log/rabbitmq.`,
  );
}
