// Credentials that stop working mid-run on RabbitMQ (a private node: the user's password is
// changed, or the user deleted, and its connections closed). The transport reconnects and is
// refused; a send then fails for good (non-retriable KE_AUTHENTICATION_FAILED), as on Kafka,
// instead of as a retriable outage a producer would resend forever.
import { createAmqpTransport } from "@kytos-events/amqp";
import { type RabbitMQNode, startRabbitMQ } from "@kytos-events/brokers";
import { ErrorCode, type KytosEventsError, type Logger, SendError } from "@kytos-events/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const timeout = 120_000;
let node: RabbitMQNode;

beforeAll(async () => {
  node = await startRabbitMQ();
}, timeout);

afterAll(async () => {
  await node?.destroy();
}, timeout);

/** A logger that remembers its warnings, to see when the transport lost its connection. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const none = () => {};
  return {
    warnings,
    debug: none,
    info: none,
    error: none,
    warn: (message: string) => warnings.push(message),
  };
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !predicate(); waited += 50) {
    if (waited > 30_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("RabbitMQ credentials refused mid-run (private node)", () => {
  it.each([
    ["the password is changed", (user: string) => ["change_password", user, "not-the-old-one"]],
    ["the user is deleted", (user: string) => ["delete_user", user]],
  ])(
    "when %s, a send fails non-retriably with KE_AUTHENTICATION_FAILED",
    async (_case, revoke) => {
      const user = `app-${Math.random().toString(36).slice(2, 8)}`;
      await node.ctl(["add_user", user, "secret"]);
      await node.ctl(["set_permissions", "-p", "/", user, ".*", ".*", ".*"]);
      const logger = recordingLogger();
      const url = node.url.replace("guest:guest@", `${user}:secret@`);
      // A slow reconnect loop: the send below makes the connection attempt that is refused.
      const transport = createAmqpTransport({
        url,
        logger,
        reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
      });
      try {
        await transport.ensureDestinations([{ name: "auth.test", partitions: 1 }]);
        await transport.subscribe({ group: user, destinations: ["auth.test"] }); // a queue to route to
        const record = { destination: "auth.test", key: "k", value: new Uint8Array([1]), headers: {} };
        await transport.send([record]); // the login works

        await node.ctl(revoke(user));
        await node.ctl(["close_all_connections", "credentials revoked by the test"]);
        await until(
          () => logger.warnings.some((w) => w.includes("connection lost")),
          "the connection to drop",
        );

        const err = await transport.send([record]).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(SendError);
        const [failure] = (err as SendError).failures;
        expect((failure?.error as KytosEventsError | undefined)?.code).toBe(ErrorCode.AuthenticationFailed);
        expect(failure?.retriable).toBe(false);
        expect(failure?.error.message).not.toContain("secret");
      } finally {
        await transport.close();
      }
    },
    timeout,
  );
});
