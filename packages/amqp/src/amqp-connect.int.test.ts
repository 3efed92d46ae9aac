// Connecting: wrong credentials, unknown virtual hosts, nothing listening and malformed URLs
// each fail with their own error code and a message naming the URL — never the password —
// and the logs of a connection that drops and comes back carry no password either.
import { inspect } from "node:util";
import { ErrorCode, Header, KytosEventsError } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAmqpTransport } from "./amqp-transport.js";
import {
  amqpUrl,
  closeConnectionsNamed,
  rabbitmqctl,
  recordingLogger,
  TEST_QUEUE_EXPIRES_MS,
  unique,
} from "./test-support.js";

const hostPort = new URL(amqpUrl()).host;

async function connectError(url: string, extra: Parameters<typeof createAmqpTransport>[0] = {}) {
  const transport = createAmqpTransport({ url, connectionTimeoutMs: 3000, ...extra });
  try {
    const err = await transport.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KytosEventsError);
    return err as KytosEventsError;
  } finally {
    await transport.close();
  }
}

/** Everything an error would show in a log: message, stack, cause chain, inspected form. */
const everything = (err: unknown) =>
  `${(err as Error).message}\n${(err as Error).stack}\n${inspect(err, { depth: 8 })}`;

describe("connecting to RabbitMQ", () => {
  const user = unique("kytos-test-user");
  const password = `Pw-${unique("secret")}`;

  beforeAll(async () => {
    await rabbitmqctl("add_user", user, password);
    await rabbitmqctl("set_permissions", "-p", "/", user, ".*", ".*", ".*");
  });

  afterAll(async () => {
    await rabbitmqctl("delete_user", user).catch(() => {});
  });

  it("refuses wrong credentials with AuthenticationFailed, naming the URL without the password", async () => {
    const err = await connectError(`amqp://${user}:not-${password}@${hostPort}`);
    expect(err.code).toBe(ErrorCode.AuthenticationFailed);
    expect(err.message).toContain(`amqp://${user}:***@${hostPort}`);
    expect(everything(err)).not.toContain(password);
  });

  it("refuses a wrong password given as an option the same way", async () => {
    const err = await connectError(`amqp://${hostPort}`, { username: user, password: `not-${password}` });
    expect(err.code).toBe(ErrorCode.AuthenticationFailed);
    expect(everything(err)).not.toContain(password);
  });

  it("refuses an unknown virtual host with AuthorizationFailed", async () => {
    const err = await connectError(`amqp://${user}:${password}@${hostPort}/no-such-vhost`);
    expect(err.code).toBe(ErrorCode.AuthorizationFailed);
    expect(err.message).toContain("/no-such-vhost");
    expect(everything(err)).not.toContain(password);
  });

  it("reports a broker that is not listening as TransportUnavailable, naming the URL", async () => {
    const err = await connectError(`amqp://${user}:${password}@127.0.0.1:1`);
    expect(err.code).toBe(ErrorCode.TransportUnavailable);
    expect(err.message).toContain(`amqp://${user}:***@127.0.0.1:1`);
    expect(everything(err)).not.toContain(password);
  });

  it("refuses a malformed URL at creation with ConfigInvalid, naming it with the password masked", () => {
    const err = (() => {
      try {
        createAmqpTransport({ url: `amqp://${user}:${password}@bad host:5672` });
      } catch (e) {
        return e as KytosEventsError;
      }
      throw new Error("expected a ConfigInvalid error");
    })();
    expect(err.code).toBe(ErrorCode.ConfigInvalid);
    expect(err.message).toContain("bad host:5672");
    expect(everything(err)).not.toContain(password);
  });

  it("connects with credentials from options, and never shows the password when inspected or serialised", async () => {
    const transport = createAmqpTransport({ url: `amqp://${hostPort}`, username: user, password });
    try {
      await transport.connect();
      expect(transport.url).toBe(`amqp://${user}:***@${hostPort}?heartbeat=10`);
      expect(inspect(transport, { depth: 10 })).not.toContain(password);
      expect(JSON.stringify(transport)).not.toContain(password);
    } finally {
      await transport.close();
    }
  });

  it("reconnects after the broker drops the connection, resumes delivery, and logs no password", async () => {
    const { lines, logger } = recordingLogger();
    const connectionName = unique("kytos-test-conn");
    const transport = createAmqpTransport({
      url: `amqp://${user}:${password}@${hostPort}`,
      connectionName,
      logger,
      queueExpiresMs: TEST_QUEUE_EXPIRES_MS,
      reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    });
    const dest = unique("connect-dest");
    const type = `kytos/${dest.replaceAll("-", "_")}.ping`;
    try {
      await transport.connect();
      await transport.ensureDestinations([{ name: dest, eventPrefixes: [type] }]);
      const reader = new Collector(await transport.subscribe({ group: unique("g"), destinations: [dest] }));
      const record = (n: number) => ({
        destination: dest,
        key: "k",
        value: new TextEncoder().encode(`m${n}`),
        headers: { [Header.EventType]: type },
      });
      await transport.send([record(1)]);
      await reader.count(1, 10_000);
      expect(await closeConnectionsNamed(connectionName)).toBeGreaterThan(0);
      // Sends during the gap fail as retriable or succeed once reconnected; keep trying.
      const deadline = Date.now() + 20_000;
      for (;;) {
        try {
          await transport.send([record(2)]);
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await reader.until((rs) => rs.some((r) => new TextDecoder().decode(r.value) === "m2"), 20_000, "m2");
      await Promise.allSettled(reader.records.map((r) => r.ack()));
      await reader.close();
      expect(lines.some((l) => l.includes("reconnect"))).toBe(true);
      expect(lines.join("\n")).not.toContain(password);
      expect(lines.join("\n")).toContain(`${user}:***@`);
    } finally {
      await transport.close();
    }
  });
});
