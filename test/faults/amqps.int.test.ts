// RabbitMQ over TLS (amqps://) on private nodes with TLS listeners, certificates from a
// throwaway CA made by openssl in the test: the CA in `tls.ca` carries records end to end; a CA
// that did not sign the broker, a missing client certificate where the listener requires one,
// and wrong credentials over TLS are refused at connect as non-retriable
// KE_AUTHENTICATION_FAILED naming the masked URL and what to check; amqps:// against a
// plaintext listener is a retriable outage whose message says to check the listener.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { type AmqpTransportConfig, createAmqpTransport } from "@kytos-events/amqp";
import {
  makeTestCertificates,
  type RabbitMQNode,
  startRabbitMQ,
  type TestCertificates,
} from "@kytos-events/brokers";
import { ErrorCode, type KytosEventsError } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dir: string;
let pem: TestCertificates["pem"];
let tlsNode: RabbitMQNode;
let mutualNode: RabbitMQNode;

/** A CA (and a second, unrelated one), a server certificate for localhost/127.0.0.1 and a client certificate. */
async function makeCertificates(): Promise<void> {
  const { pem: made } = await makeTestCertificates(dir);
  pem = made;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kytos-events-amqps-"));
  await makeCertificates();
  const files = {
    caFile: join(dir, "ca.pem"),
    certFile: join(dir, "server.crt"),
    keyFile: join(dir, "server.key"),
  };
  [tlsNode, mutualNode] = await Promise.all([
    startRabbitMQ({ tls: files }),
    startRabbitMQ({ tls: { ...files, verifyPeer: true } }),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([tlsNode?.destroy(), mutualNode?.destroy()]);
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

async function connectError(config: AmqpTransportConfig): Promise<KytosEventsError> {
  const transport = createAmqpTransport({ connectionTimeoutMs: 5000, ...config });
  try {
    return (await transport.connect().then(
      () => new Error("connected"),
      (e: unknown) => e,
    )) as KytosEventsError;
  } finally {
    await transport.close();
  }
}

const masked = (url: string) => url.replace(/:guest@/, ":***@");

describe("RabbitMQ over TLS (amqps://)", () => {
  it("connects with the CA in tls.ca, publishes and consumes a record end to end", async () => {
    const transport = createAmqpTransport({
      url: tlsNode.tlsUrl,
      tls: { ca: pem.ca },
      exchange: "tls-test",
    });
    try {
      await transport.connect();
      await transport.ensureDestinations([{ name: "tls-events", eventPrefixes: [""] }]);
      const reader = new Collector(await transport.subscribe({ group: "tls", destinations: ["tls-events"] }));
      await transport.send([
        {
          destination: "tls-events",
          key: "link-1",
          value: Uint8Array.of(7, 8, 9),
          headers: { "ke-event-type": "kytos/topology.link_down" },
        },
      ]);
      await reader.count(1, 20_000);
      expect([...reader.records[0]!.value]).toEqual([7, 8, 9]);
      expect(reader.records[0]!.key).toBe("link-1");
      await reader.records[0]!.ack();
      await reader.close();
    } finally {
      await transport.close();
    }
  });

  it("refuses a broker certificate its CA did not sign: KE_AUTHENTICATION_FAILED naming the URL and tls.ca", async () => {
    const err = await connectError({ url: tlsNode.tlsUrl, tls: { ca: pem.otherCa } });
    expect(err.code).toBe(ErrorCode.AuthenticationFailed);
    expect(err.message).toContain(`TLS with RabbitMQ at ${masked(tlsNode.tlsUrl)}`);
    expect(err.message).toContain("tls.ca");
  });

  it("refuses wrong credentials over TLS: KE_AUTHENTICATION_FAILED, the password nowhere in the error", async () => {
    const password = "wrong-tls-password-do-not-log";
    const err = await connectError({
      url: tlsNode.tlsUrl,
      tls: { ca: pem.ca },
      username: "guest",
      password,
    });
    expect(err.code).toBe(ErrorCode.AuthenticationFailed);
    expect(err.message).toContain("refused the login");
    expect(inspect(err, { depth: 20 })).not.toContain(password);
  });

  it("with mutual TLS, connects with a client certificate and is refused without one (KE_AUTHENTICATION_FAILED naming tls.cert and tls.key)", async () => {
    const ok = createAmqpTransport({
      url: mutualNode.tlsUrl,
      tls: { ca: pem.ca, cert: pem.clientCert, key: pem.clientKey },
    });
    try {
      await ok.connect();
    } finally {
      await ok.close();
    }
    const err = await connectError({ url: mutualNode.tlsUrl, tls: { ca: pem.ca } });
    expect(err.code).toBe(ErrorCode.AuthenticationFailed);
    expect(err.message).toContain(masked(mutualNode.tlsUrl));
    expect(err.message).toContain("tls.cert and tls.key");
  });

  it("amqps:// against a plaintext listener is a retriable KE_TRANSPORT_UNAVAILABLE saying to check that the listener speaks TLS", async () => {
    const url = `amqps://guest:guest@localhost:${tlsNode.amqpPort}`;
    const err = await connectError({ url, tls: { ca: pem.ca } });
    expect(err.code).toBe(ErrorCode.TransportUnavailable);
    expect(err.message).toContain("check that the listener speaks TLS");
  });
});
