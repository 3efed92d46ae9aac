// Missing topic permissions on Kafka: a broker with the KRaft StandardAuthorizer, a SASL/PLAIN
// listener with two users, and an ACL that lets only one of them write to the test's topics.
// A user who may see the topic but not write it gets a non-retriable KE_AUTHORIZATION_FAILED
// for its records (not a retriable outage a producer would resend forever); one who may not
// even see it gets a non-retriable refusal saying to check the ACLs (Kafka hides the topic);
// the user with the ACL delivers.
import { randomUUID } from "node:crypto";
import { DEFAULT_KAFKA_VERSION, freePort, type KafkaBroker, startKafka } from "@kytos-events/brokers";
import { ErrorCode, type KytosEventsError, SendError } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  logLevel,
  ResourcePatternTypes,
} from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const host = "127.0.0.1";
const allowed = { mechanism: "plain" as const, username: "bob", password: `bob-${randomUUID()}` };
const denied = { mechanism: "plain" as const, username: "alice", password: `alice-${randomUUID()}` };
const topic = `acl-${randomUUID().slice(0, 8)}`;
const hidden = `hidden-${randomUUID().slice(0, 8)}`;
let broker: KafkaBroker;
let saslBrokers: string;

beforeAll(async () => {
  const version = process.env.KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION;
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort(host));
  const [port, controllerPort, saslPort] = [...ports];
  const users = [allowed, denied].map((u) => `user_${u.username}="${u.password}"`).join(" ");
  broker = await startKafka({
    port: port!,
    overrides: {
      listeners: `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort},SASL_PLAINTEXT://${host}:${saslPort}`,
      "advertised.listeners": `PLAINTEXT://${host}:${port},SASL_PLAINTEXT://${host}:${saslPort}`,
      "listener.security.protocol.map":
        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
      ...(major > 3 || (major === 3 && minor >= 9)
        ? { "controller.quorum.bootstrap.servers": `${host}:${controllerPort}` }
        : { "controller.quorum.voters": `1@${host}:${controllerPort}` }),
      "sasl.enabled.mechanisms": "PLAIN",
      "listener.name.sasl_plaintext.plain.sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required ${users};`,
      // The plaintext and controller listeners (principal ANONYMOUS) administer; SASL users
      // get only what an ACL grants.
      "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
      "super.users": "User:ANONYMOUS",
    },
  });
  saslBrokers = `${host}:${saslPort}`;
  const admin = createKafkaTransport({ brokers: broker.brokers.join(",") });
  await admin.ensureDestinations([
    { name: topic, partitions: 1 },
    { name: hidden, partitions: 1 },
  ]);
  await admin.close();
  const raw = new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING }).admin();
  await raw.connect();
  const acl = (user: string, operation: AclOperationTypes) => ({
    resourceType: AclResourceTypes.TOPIC,
    resourceName: "acl-",
    resourcePatternType: ResourcePatternTypes.PREFIXED,
    principal: `User:${user}`,
    host: "*",
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  });
  // bob may write the "acl-" topics; alice may only see them; nobody but admins sees "hidden-".
  await raw.createAcls({
    acl: [
      acl(allowed.username, AclOperationTypes.WRITE),
      acl(allowed.username, AclOperationTypes.DESCRIBE),
      acl(denied.username, AclOperationTypes.DESCRIBE),
    ],
  });
  await raw.disconnect();
}, 180_000);

afterAll(async () => {
  await broker?.destroy();
}, 60_000);

async function sendAs(sasl: typeof allowed, destination = topic): Promise<unknown> {
  const transport = createKafkaTransport({ brokers: saslBrokers, sasl, sendRetryTimeMs: 2000 });
  try {
    await transport.connect();
    return await transport
      .send([
        { destination, key: "k1", value: Uint8Array.of(1), headers: {} },
        { destination, key: "k2", value: Uint8Array.of(2), headers: {} },
      ])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
  } finally {
    await transport.close();
  }
}

describe("missing topic permissions on Kafka (StandardAuthorizer, SASL/PLAIN)", () => {
  it("a user with a WRITE ACL on the topic delivers (the setup refuses only the other user)", async () => {
    expect(await sendAs(allowed)).toBeUndefined();
  });

  it("a user who may DESCRIBE but not WRITE the topic gets a non-retriable KE_AUTHORIZATION_FAILED for each record", async () => {
    const error = await sendAs(denied);
    expect(error).toBeInstanceOf(SendError);
    const failures = (error as SendError).failures;
    expect(failures.map((f) => [f.index, f.retriable, (f.error as KytosEventsError).code])).toEqual([
      [0, false, ErrorCode.AuthorizationFailed],
      [1, false, ErrorCode.AuthorizationFailed],
    ]);
  });

  it("a user who may not even DESCRIBE the topic (Kafka hides it) gets a non-retriable refusal saying to check the ACLs", async () => {
    const error = await sendAs(denied, hidden);
    expect(error).toBeInstanceOf(SendError);
    const failures = (error as SendError).failures;
    expect(failures.map((f) => [f.index, f.retriable])).toEqual([
      [0, false],
      [1, false],
    ]);
    expect(failures[0]!.error.message).toContain(hidden);
    expect(failures[0]!.error.message).toContain("check the topic's ACLs");
  });
});
