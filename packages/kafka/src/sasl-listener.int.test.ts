// SASL on a real SASL_PLAINTEXT listener: a dedicated broker with PLAIN users in its JAAS
// config and SCRAM-SHA-256/512 users stored through the Admin API. The right credentials carry
// records end to end for each mechanism; a wrong password is KE_AUTHENTICATION_FAILED naming
// the broker, and no password (right or wrong) shows in any error, cause, stack or log line.
// (errors.int.test.ts covers SASL against a listener that does not speak SASL at all.)
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import {
  DEFAULT_KAFKA_VERSION,
  fetchKafkaJars,
  freePort,
  type KafkaBroker,
  startKafka,
} from "@kytos-events/brokers";
import { ErrorCode, type KytosEventsError, type LogFields, type Logger } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KafkaSaslConfig } from "./config.js";
import { createKafkaTransport } from "./kafka-transport.js";

const host = "127.0.0.1";
const secret = (who: string) => `${who}-${randomUUID()}-do-not-log`;
const users: KafkaSaslConfig[] = [
  { mechanism: "plain", username: "alice", password: secret("alice") },
  { mechanism: "scram-sha-256", username: "bob", password: secret("bob") },
  { mechanism: "scram-sha-512", username: "carol", password: secret("carol") },
];
const allPasswords = users.map((u) => u.password);

let broker: KafkaBroker;
let saslBrokers: string;

async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort(host));
  return [...ports];
}

/** Runs test-fixtures/AddScramUser.java against the broker's PLAINTEXT listener. */
async function addScramUser(user: KafkaSaslConfig): Promise<void> {
  const libs = await fetchKafkaJars(broker.version);
  const source = fileURLToPath(new URL("../test-fixtures/AddScramUser.java", import.meta.url));
  const mechanism = user.mechanism.toUpperCase();
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const java = spawn("java", ["-cp", `${libs}/*`, source, broker.brokers[0]!, user.username, mechanism], {
      env: { ...process.env, SCRAM_PASSWORD: user.password },
      stdio: ["ignore", "pipe", "pipe"],
    });
    java.stdout.on("data", (b: Buffer) => output.push(b));
    java.stderr.on("data", (b: Buffer) => output.push(b));
    java.once("error", reject);
    java.once("exit", resolve);
  });
  if (code !== 0) throw new Error(`AddScramUser ${mechanism} exited ${code}: ${Buffer.concat(output)}`);
}

beforeAll(async () => {
  const version = process.env.KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION;
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const [port, controllerPort, saslPort] = await distinctPorts(3);
  const plainUsers = users
    .filter((u) => u.mechanism === "plain")
    .map((u) => `user_${u.username}="${u.password}"`)
    .join(" ");
  const scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
  broker = await startKafka({
    port: port!,
    overrides: {
      // The harness's listeners plus a SASL one; the controller port is ours so the quorum
      // settings below can name it (dynamic quorum since Kafka 3.9, static voters before).
      listeners: `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort},SASL_PLAINTEXT://${host}:${saslPort}`,
      "advertised.listeners": `PLAINTEXT://${host}:${port},SASL_PLAINTEXT://${host}:${saslPort}`,
      "listener.security.protocol.map":
        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
      ...(major > 3 || (major === 3 && minor >= 9)
        ? { "controller.quorum.bootstrap.servers": `${host}:${controllerPort}` }
        : { "controller.quorum.voters": `1@${host}:${controllerPort}` }),
      "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
      "listener.name.sasl_plaintext.plain.sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
      "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config": scram,
      "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": scram,
    },
  });
  saslBrokers = `${host}:${saslPort}`;
  for (const user of users) if (user.mechanism !== "plain") await addScramUser(user);
}, 180_000);

afterAll(async () => {
  await broker?.destroy();
}, 60_000);

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      lines.push(`${level} ${message} ${inspect(fields ?? {}, { depth: 10 })}`);
    };
  return { lines, logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
}

const expectNoPassword = (text: string) => {
  for (const password of allPasswords) expect(text).not.toContain(password);
};

describe.each(users)("SASL $mechanism on a SASL_PLAINTEXT listener", (user) => {
  it("authenticates with the right credentials and carries records end to end", async () => {
    const { logger, lines } = recordingLogger();
    const transport = createKafkaTransport({ brokers: saslBrokers, sasl: user, logger });
    try {
      await transport.connect();
      const topic = `sasl-${user.mechanism}-${randomUUID().slice(0, 8)}`;
      await transport.ensureDestinations([{ name: topic, partitions: 2 }]);
      await transport.send([
        { destination: topic, key: "link-1", value: new TextEncoder().encode("down"), headers: { h: "v" } },
      ]);
      const reader = new Collector(
        await transport.subscribe({
          group: `sasl-${randomUUID()}`,
          destinations: [topic],
          fromBeginning: true,
        }),
      );
      await reader.count(1, 60_000);
      expect(new TextDecoder().decode(reader.records[0]!.value)).toBe("down");
      expect(reader.records[0]!.headers.h).toBe("v");
      await reader.records[0]!.ack();
      await reader.close();
      expectNoPassword(lines.join("\n"));
    } finally {
      await transport.close();
    }
  });

  it("rejects a wrong password with KE_AUTHENTICATION_FAILED naming the broker, showing no password", async () => {
    const { logger, lines } = recordingLogger();
    const wrong = { ...user, password: `${user.password}-wrong` };
    const transport = createKafkaTransport({ brokers: saslBrokers, sasl: wrong, logger });
    try {
      const err = (await transport.connect().catch((e: unknown) => e)) as KytosEventsError;
      expect(err.code).toBe(ErrorCode.AuthenticationFailed);
      expect(err.message).toContain(saslBrokers);
      expect(err.message).toMatch(/Check the username, password and mechanism/);
      const everything = inspect(err, { depth: 20 });
      expectNoPassword(everything);
      expect(everything).not.toContain(wrong.password);
      // kafkajs reported the refused authentication through our logger: the check is not vacuous.
      expect(lines.some((l) => /SASL|authentication/i.test(l))).toBe(true);
      expectNoPassword(lines.join("\n"));
      expect(lines.join("\n")).not.toContain(wrong.password);
    } finally {
      await transport.close();
    }
  });
});
