// TLS on a real SSL listener that requires client certificates (mutual TLS): a dedicated
// broker with PEM key stores from a throwaway CA made by openssl. The CA plus a client
// certificate and key carry records end to end; a CA that did not sign the broker and a
// missing client certificate fail as non-retriable KE_AUTHENTICATION_FAILED naming the broker
// and what to check; TLS against a plaintext listener says to check the listener.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_KAFKA_VERSION,
  freePort,
  type KafkaBroker,
  makeTestCertificates,
  startKafka,
  type TestCertificates,
} from "@kytos-events/brokers";
import { ErrorCode, type KytosEventsError } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKafkaTransport } from "./kafka-transport.js";

const host = "127.0.0.1";
let dir: string;
let broker: KafkaBroker;
let tlsBrokers: string;
let pem: TestCertificates["pem"];

/** A CA, and certificates it signs for the broker (SAN 127.0.0.1) and for a client. */
async function makeCertificates(): Promise<void> {
  const { pem: made } = await makeTestCertificates(dir, host);
  pem = made;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kytos-events-tls-"));
  await makeCertificates();
  const version = process.env.KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION;
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort(host));
  const [port, controllerPort, sslPort] = [...ports];
  broker = await startKafka({
    port: port!,
    overrides: {
      // The harness's listeners plus an SSL one; the controller port is ours so the quorum
      // settings can name it (dynamic quorum since Kafka 3.9, static voters before).
      listeners: `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort},SSL://${host}:${sslPort}`,
      "advertised.listeners": `PLAINTEXT://${host}:${port},SSL://${host}:${sslPort}`,
      "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL",
      ...(major > 3 || (major === 3 && minor >= 9)
        ? { "controller.quorum.bootstrap.servers": `${host}:${controllerPort}` }
        : { "controller.quorum.voters": `1@${host}:${controllerPort}` }),
      "listener.name.ssl.ssl.keystore.type": "PEM",
      "listener.name.ssl.ssl.keystore.location": join(dir, "server-keystore.pem"),
      "listener.name.ssl.ssl.truststore.type": "PEM",
      "listener.name.ssl.ssl.truststore.location": join(dir, "ca.pem"),
      "listener.name.ssl.ssl.client.auth": "required",
    },
  });
  tlsBrokers = `${host}:${sslPort}`;
}, 180_000);

afterAll(async () => {
  await broker?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

async function connectError(config: Parameters<typeof createKafkaTransport>[0]): Promise<KytosEventsError> {
  // A short retry budget: these failures are not retriable, kafkajs just does not know it.
  const transport = createKafkaTransport({ sendRetryTimeMs: 500, connectionTimeoutMs: 2000, ...config });
  try {
    return (await transport.connect().then(
      () => new Error("connected"),
      (e: unknown) => e,
    )) as KytosEventsError;
  } finally {
    await transport.close();
  }
}

describe("TLS on an SSL listener requiring client certificates", () => {
  it("connects with the CA and a client certificate and carries records end to end", async () => {
    const transport = createKafkaTransport({
      brokers: tlsBrokers,
      tls: { ca: pem.ca, cert: pem.clientCert, key: pem.clientKey },
    });
    try {
      await transport.connect();
      const topic = `tls-${randomUUID().slice(0, 8)}`;
      await transport.ensureDestinations([{ name: topic, partitions: 2 }]);
      await transport.send([
        { destination: topic, key: "evc-1", value: Uint8Array.of(1, 2, 3), headers: {} },
      ]);
      const reader = new Collector(
        await transport.subscribe({
          group: `tls-${randomUUID()}`,
          destinations: [topic],
          fromBeginning: true,
        }),
      );
      await reader.count(1, 60_000);
      expect([...reader.records[0]!.value]).toEqual([1, 2, 3]);
      await reader.records[0]!.ack();
      await reader.close();
    } finally {
      await transport.close();
    }
  });

  it("refuses a broker certificate its CA did not sign: KE_AUTHENTICATION_FAILED naming the broker", async () => {
    const err = await connectError({
      brokers: tlsBrokers,
      tls: { ca: pem.otherCa, cert: pem.clientCert, key: pem.clientKey },
    });
    expect(err.code).toBe(ErrorCode.AuthenticationFailed);
    expect(err.message).toContain(`TLS with Kafka at ${tlsBrokers} failed`);
    expect(err.message).toContain("tls.ca");
  });

  it("fails without a client certificate as KE_AUTHENTICATION_FAILED, not as a retriable outage", async () => {
    const err = await connectError({ brokers: tlsBrokers, tls: { ca: pem.ca } });
    expect(err.code).toBe(ErrorCode.AuthenticationFailed);
    expect(err.message).toContain(tlsBrokers);
    expect(err.message).toContain("tls.cert and tls.key");
  });

  it("fails TLS against a plaintext listener as retriable KE_TRANSPORT_UNAVAILABLE saying to check the listener", async () => {
    // The plaintext broker just drops the connection mid-handshake, exactly what a restarting
    // broker does: retriable (an outage buffer keeps the events), with a hint in the message.
    const plain = broker.brokers[0]!;
    const err = await connectError({
      brokers: plain,
      tls: { ca: pem.ca, cert: pem.clientCert, key: pem.clientKey },
    });
    expect(err.code).toBe(ErrorCode.TransportUnavailable);
    expect(err.message).toContain(plain);
    expect(err.message).toContain("check that the listener speaks TLS");
  });
});
