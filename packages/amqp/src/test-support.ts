// Helpers for this package's integration tests on the real RabbitMQ: unique names, waiting on
// conditions with deadlines, a raw amqplib connection to look at queues as the broker sees
// them, and rabbitmqctl for outages. Not part of the package's API.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { type ChannelModel, connect } from "amqplib";

const run = promisify(execFile);

export const amqpUrl = (): string => process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";

export const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Test queues expire this long after their last consumer leaves, so runs leave nothing behind. */
export const TEST_QUEUE_EXPIRES_MS = 120_000;

/** Resolves once `predicate` holds; rejects at the deadline saying what it waited for. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A plain amqplib connection for looking at (and deleting) what the transport declared. */
export class BrokerView {
  private constructor(private readonly model: ChannelModel) {}

  static async open(url = amqpUrl()): Promise<BrokerView> {
    return new BrokerView(await connect(url));
  }

  /** Ready messages in a queue, or undefined when it does not exist. */
  async messageCount(queue: string): Promise<number | undefined> {
    const ch = await this.model.createChannel();
    ch.on("error", () => {});
    try {
      return (await ch.checkQueue(queue)).messageCount;
    } catch {
      return undefined;
    } finally {
      await ch.close().catch(() => {});
    }
  }

  /** Runs `work` on a channel of its own (a failed operation closes only that channel). */
  async withChannel<T>(
    work: (ch: Awaited<ReturnType<ChannelModel["createChannel"]>>) => Promise<T>,
  ): Promise<T> {
    const ch = await this.model.createChannel();
    ch.on("error", () => {});
    try {
      return await work(ch);
    } finally {
      await ch.close().catch(() => {});
    }
  }

  async deleteQueues(names: readonly string[]): Promise<void> {
    for (const name of names) await this.withChannel((ch) => ch.deleteQueue(name)).catch(() => {});
  }

  async deleteExchanges(names: readonly string[]): Promise<void> {
    for (const name of names) await this.withChannel((ch) => ch.deleteExchange(name)).catch(() => {});
  }

  async close(): Promise<void> {
    await this.model.close().catch(() => {});
  }
}

export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run("rabbitmqctl", args, { timeout: 120_000 });
  return stdout;
}

/** Waits until RabbitMQ accepts an AMQP connection again. */
export async function waitForRabbit(timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      try {
        const model = await connect(amqpUrl());
        await model.close();
        return true;
      } catch {
        return false;
      }
    },
    timeoutMs,
    "RabbitMQ to accept connections",
  );
}

/**
 * Stops the RabbitMQ application (every connection drops, durable queues and persistent
 * messages stay on disk), runs `whileDown`, and starts it again — always, even if `whileDown`
 * throws — waiting until it accepts connections.
 */
export async function withRabbitStopped(whileDown: () => Promise<void>): Promise<void> {
  await rabbitmqctl("stop_app");
  try {
    await whileDown();
  } finally {
    await rabbitmqctl("start_app");
    await waitForRabbit();
  }
}

/** Closes, on the broker side, the connections whose client named itself `connectionName`. */
export async function closeConnectionsNamed(connectionName: string): Promise<number> {
  const out = await rabbitmqctl("list_connections", "-q", "--no-table-headers", "pid", "client_properties");
  const pids = out
    .split("\n")
    .filter((line) => line.includes(`"${connectionName}"`))
    .map((line) => line.split("\t")[0]!.trim())
    .filter(Boolean);
  for (const pid of pids) await rabbitmqctl("close_connection", pid, "closed by a kytos-events test");
  return pids.length;
}

/** A logger that keeps every line, to check what the transport says (and never says). */
export function recordingLogger() {
  const lines: string[] = [];
  const log =
    (level: string) =>
    (message: string, fields?: Readonly<Record<string, unknown>>): void => {
      lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    };
  return {
    lines,
    logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
  };
}
