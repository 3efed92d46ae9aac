// Bad broker configuration on the real brokers: a malformed address is refused when the
// transport is created, wrong credentials when it connects; never later, never per message.
// Missing permissions on RabbitMQ (a private node with users of its own): no write permission
// on the exchange fails each publish for good (KE_AUTHORIZATION_FAILED naming the exchange)
// instead of as a retriable outage a producer would resend forever.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAmqpTransport } from "@kytos-events/amqp";
import { type RabbitMQNode, startRabbitMQ } from "@kytos-events/brokers";
import { ErrorCode, type KytosEventsError, SendError } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import { createProducer } from "@kytos-events/producer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

function creationError(create: () => unknown): KytosEventsError {
  try {
    create();
  } catch (err) {
    return err as KytosEventsError;
  }
  throw new Error("expected creation to throw");
}

describe("bad broker configuration", () => {
  it("RabbitMQ guest with a wrong password is refused at connect with KE_AUTHENTICATION_FAILED, password not shown", async () => {
    const transport = createAmqpTransport({ url: "amqp://guest:wrong-password@127.0.0.1:5672" });
    try {
      const err = (await transport.connect().then(
        () => undefined,
        (e: unknown) => e,
      )) as KytosEventsError | undefined;
      expect(err?.code).toBe(ErrorCode.AuthenticationFailed);
      expect(err?.message).not.toContain("wrong-password");
    } finally {
      await transport.close().catch(() => {});
    }
  });

  it("a malformed AMQP URL is refused at creation with KE_CONFIG_INVALID", () => {
    expect(creationError(() => createAmqpTransport({ url: "amqp://guest:guest@bad host:5672" })).code).toBe(
      ErrorCode.ConfigInvalid,
    );
  });

  it('a Kafka brokers string with empty entries ("host:9092,,") is accepted, the empty entries ignored', () => {
    const transport = createKafkaTransport({ brokers: "127.0.0.1:9092,, ,127.0.0.2:9093," });
    expect(transport.config.brokers).toEqual(["127.0.0.1:9092", "127.0.0.2:9093"]);
  });

  it.each([[""], ["127.0.0.1"], ["127.0.0.1:notaport"]])(
    "a malformed Kafka brokers string %j is refused at creation with KE_CONFIG_INVALID",
    (brokers) => {
      expect(creationError(() => createKafkaTransport({ brokers })).code).toBe(ErrorCode.ConfigInvalid);
    },
  );
});

/** RabbitMQ's sha256 password hash (4-byte salt, then SHA-256 of salt and password), base64. */
function rabbitHash(password: string): string {
  const salt = randomBytes(4);
  const digest = createHash("sha256")
    .update(Buffer.concat([salt, Buffer.from(password, "utf8")]))
    .digest();
  return Buffer.concat([salt, digest]).toString("base64");
}

describe("missing permissions on RabbitMQ (private node)", () => {
  let dir: string;
  let node: RabbitMQNode;
  // "reader" may declare and read everything, but write to no exchange named "perm…".
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kytos-events-perms-"));
    const user = (name: string, tags: string) => ({
      name,
      password_hash: rabbitHash(name),
      hashing_algorithm: "rabbit_password_hashing_sha256",
      tags,
    });
    const definitions = {
      users: [user("guest", "administrator"), user("reader", "")],
      vhosts: [{ name: "/" }],
      permissions: [
        { user: "guest", vhost: "/", configure: ".*", write: ".*", read: ".*" },
        { user: "reader", vhost: "/", configure: ".*", write: "^(?!perm).*", read: ".*" },
      ],
    };
    await writeFile(join(dir, "definitions.json"), JSON.stringify(definitions));
    node = await startRabbitMQ({ config: { load_definitions: join(dir, "definitions.json") } });
  }, 120_000);
  afterAll(async () => {
    await node?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  const readerTransport = () =>
    createAmqpTransport({
      url: node.url.replace("guest:guest", "reader:reader"),
      exchange: "perm-events",
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    });

  it("a publish without write permission on the exchange fails for good with KE_AUTHORIZATION_FAILED naming it", async () => {
    const transport = readerTransport();
    try {
      await transport.connect();
      await transport.ensureDestinations([{ name: "perm-d", eventPrefixes: [""] }]);
      const record = (key: string) => ({
        destination: "perm-d",
        key,
        value: Uint8Array.of(1),
        headers: { "ke-event-type": "kytos/topology.link_down" },
      });
      const error = await transport.send([record("a"), record("b")]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SendError);
      const failures = (error as SendError).failures;
      expect(failures.map((f) => [f.index, f.retriable, (f.error as KytosEventsError).code])).toEqual([
        [0, false, ErrorCode.AuthorizationFailed],
        [1, false, ErrorCode.AuthorizationFailed],
      ]);
      expect(failures[0]!.error.message).toContain("access to exchange 'perm-events'");
    } finally {
      await transport.close();
    }
  });

  it("through the producer the refused events fail for good (reported through onError), not resent forever", async () => {
    const errors: string[] = [];
    const producer = createProducer({
      source: "ctl-perms",
      lanes: [
        {
          name: "amqp",
          transport: readerTransport(),
          routing: { verboseDestination: "perm-verbose", statusDestination: false, partitions: 1 },
        },
      ],
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
      onError: (e) => errors.push(e.code),
    });
    try {
      await producer.ready({ timeoutMs: 30_000 });
      const receipts = [1, 2, 3].map((n) =>
        producer.publish("kytos/topology.link_down", { link: { id: `link-${n}` } } as never),
      );
      const reports = await Promise.all(receipts.map((r) => r.durable));
      expect(reports.map((r) => r.lanes.map((l) => [l.status, l.error?.code]))).toEqual(
        Array(3).fill([["failed", ErrorCode.AuthorizationFailed]]),
      );
      expect(errors.length).toBeGreaterThan(0);
      expect(new Set(errors)).toEqual(new Set([ErrorCode.AuthorizationFailed]));
    } finally {
      await producer.close({ timeoutMs: 2000 });
    }
  });
});
