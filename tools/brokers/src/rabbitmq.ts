// Makes sure the RabbitMQ the tests use is up: connect, and if nothing listens where a local
// default server would (loopback, port 5672) and this machine has rabbitmq-server, start it
// detached and wait until it accepts connections. Errors name the URL, password masked.
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

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

async function probe(url: string): Promise<string> {
  const conn = await connect(url, { timeout: 2000 });
  try {
    const props = conn.connection.serverProperties as { version?: string } | undefined;
    return props?.version ?? "unknown";
  } finally {
    await conn.close().catch(() => {});
  }
}

function nothingListens(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "ECONNREFUSED" || code === "ECONNRESET" || code === "ETIMEDOUT";
}

function parse(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`AMQP_URL "${maskUrl(url)}" is not a URL: use amqp://user:password@host:5672/vhost.`);
  }
  if (parsed.protocol !== "amqp:" && parsed.protocol !== "amqps:") {
    throw new Error(`AMQP_URL "${maskUrl(url)}" is not an amqp:// or amqps:// URL.`);
  }
  return parsed;
}

/** Resolves once `url` accepts an AMQP connection, starting the local server if that is possible and needed. */
export async function ensureRabbitMQ(url = DEFAULT_AMQP_URL, timeoutMs = 60_000): Promise<RabbitMQInfo> {
  const parsed = parse(url);
  try {
    return { url, version: await probe(url), started: false };
  } catch (err) {
    if (!nothingListens(err)) {
      throw new Error(
        `RabbitMQ at ${maskUrl(url)} refused the connection: ${(err as Error).message}. Check AMQP_URL's credentials and vhost.`,
      );
    }
  }
  const local = LOOPBACK.has(parsed.hostname) && (parsed.port === "" || parsed.port === "5672");
  if (!local) {
    throw new Error(
      `nothing accepts AMQP connections at ${maskUrl(url)}: start that RabbitMQ, or unset AMQP_URL to use a local one.`,
    );
  }
  const server = spawnSync("rabbitmq-server", ["-detached"], { encoding: "utf8", timeout: 30_000 });
  if (server.error) {
    throw new Error(
      `RabbitMQ is not reachable at ${maskUrl(url)} and rabbitmq-server could not be run (${server.error.message}): ` +
        "install and start RabbitMQ (or `docker compose up -d rabbitmq`), or set AMQP_URL.",
    );
  }
  if (server.status !== 0) {
    throw new Error(
      `RabbitMQ is not reachable at ${maskUrl(url)} and \`rabbitmq-server -detached\` failed (exit ${server.status}): ${`${server.stdout}${server.stderr}`.trim()}`,
    );
  }
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return { url, version: await probe(url), started: true };
    } catch (err) {
      last = err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new Error(
    `started rabbitmq-server but ${maskUrl(url)} did not accept a connection within ${timeoutMs} ms ` +
      `(last error: ${(last as Error | undefined)?.message}). See the RabbitMQ log under /var/log/rabbitmq.`,
  );
}
