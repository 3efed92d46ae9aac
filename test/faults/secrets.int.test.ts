// No secret in any output: every credential path of both transports runs with a capturing
// logger (the core Logger the transports hand their own and kafkajs's lines to), with console
// and process stdout/stderr recorded, and every error kept with its cause chain and stack —
// a Kafka SASL_SSL listener (SCRAM-SHA-512 and PLAIN, client certificates), a RabbitMQ TLS
// listener requiring client certificates with a user whose password is in the URL, wrong
// passwords and an untrusted CA on both, and the CLI as a child process with a password in
// its --url. No password, SASL secret or private-key material (a PEM "PRIVATE KEY" block or
// any line of its body) may appear in any of it, nor in `inspect`/`JSON.stringify` of the
// transports. Each path also checks that its output says something (the check is not vacuous).
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { type AmqpTransportConfig, createAmqpTransport } from "@kytos-events/amqp";
import {
  DEFAULT_KAFKA_VERSION,
  fetchKafkaJars,
  freePort,
  type KafkaBroker,
  makeTestCertificates,
  type RabbitMQNode,
  startKafka,
  startRabbitMQ,
  type TestCertificates,
} from "@kytos-events/brokers";
import {
  ErrorCode,
  type KytosEventsError,
  type LogFields,
  type Logger,
  type Transport,
} from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { createKafkaTransport, type KafkaTransportConfig } from "@kytos-events/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const host = "127.0.0.1";
const repo = fileURLToPath(new URL("../../", import.meta.url));
const secret = (who: string) => `${who}-${randomUUID()}-do-not-log`;

const kafkaScram = { mechanism: "scram-sha-512" as const, username: "carol", password: secret("scram") };
const kafkaPlain = { mechanism: "plain" as const, username: "alice", password: secret("plain") };
const rabbitUser = { username: "kytos-sec", password: secret("rabbit") };
const wrong = secret("wrong");
const passwords = [kafkaScram.password, kafkaPlain.password, rabbitUser.password, wrong];

let dir: string;
let pem: TestCertificates["pem"];
let kafka: KafkaBroker;
let kafkaTls: string;
let rabbit: RabbitMQNode;

// ---- capture -----------------------------------------------------------------------------

/** Everything a path printed, logged or threw, as text. */
class Capture {
  readonly texts: string[] = [];

  readonly logger: Logger = {
    debug: (m, f) => this.log("debug", m, f),
    info: (m, f) => this.log("info", m, f),
    warn: (m, f) => this.log("warn", m, f),
    error: (m, f) => this.log("error", m, f),
  };

  private log(level: string, message: string, fields?: LogFields): void {
    this.texts.push(`${level} ${message} ${inspect(fields ?? {}, { depth: 10 })} ${safeJson(fields)}`);
  }

  /** An error with its whole cause chain, stack and own properties. */
  error(err: unknown): void {
    this.texts.push(
      inspect(err, { depth: 20, showHidden: true }),
      String((err as Error)?.stack),
      safeJson(err),
    );
    for (let e = err as { cause?: unknown } | undefined, i = 0; e && i < 10; i++, e = e.cause as never) {
      this.texts.push(String(e), inspect(e, { depth: 5, showHidden: true }));
    }
  }

  /** What a transport shows of itself when inspected or serialised. */
  transport(t: Transport): void {
    this.texts.push(inspect(t, { depth: 6, showHidden: true }), safeJson(t));
  }

  get all(): string {
    return this.texts.join("\n");
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch (err) {
    return `(not serialisable: ${(err as Error).message})`;
  }
}

/** Console and process output of this worker while a path runs, recorded as it passes through. */
const printed: string[] = [];
const restore: (() => void)[] = [];
function recordOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: never[]) => {
      printed.push(String(chunk));
      return write(chunk as never, ...rest);
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = write;
    });
  }
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      printed.push(args.map((a) => inspect(a, { depth: 10 })).join(" "));
      original.apply(console, args);
    };
    restore.push(() => {
      console[method] = original;
    });
  }
}

/** The lines of the base64 body of each private key: any one of them showing is a leak. */
function keyLines(): string[] {
  return [pem.clientKey, pem.serverKey].flatMap((key) =>
    key
      .split("\n")
      // A key holds its public modulus, which the certificates (public) hold too.
      .filter(
        (line) =>
          line.length >= 32 &&
          !line.startsWith("-----") &&
          ![pem.clientCert, pem.serverCert].some((cert) => cert.includes(line)),
      ),
  );
}

function expectNoSecret(text: string, where: string): void {
  for (const password of passwords) expect(text.includes(password), `${where}: a password`).toBe(false);
  expect(text.includes("PRIVATE KEY"), `${where}: a PEM private key`).toBe(false);
  for (const line of keyLines()) expect(text.includes(line), `${where}: private key material`).toBe(false);
}

// ---- brokers -----------------------------------------------------------------------------

async function makeCertificates(): Promise<void> {
  const { pem: made } = await makeTestCertificates(dir, host);
  pem = made;
}

/** A Kafka with a SASL_SSL listener (PLAIN and SCRAM-SHA-512 users, client certificates required). */
async function startSecureKafka(): Promise<void> {
  const version = process.env.KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION;
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort(host));
  const [port, controllerPort, securePort] = [...ports];
  kafka = await startKafka({
    port: port!,
    overrides: {
      listeners: `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort},SASL_SSL://${host}:${securePort}`,
      "advertised.listeners": `PLAINTEXT://${host}:${port},SASL_SSL://${host}:${securePort}`,
      "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL",
      ...(major > 3 || (major === 3 && minor >= 9)
        ? { "controller.quorum.bootstrap.servers": `${host}:${controllerPort}` }
        : { "controller.quorum.voters": `1@${host}:${controllerPort}` }),
      "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-512",
      "listener.name.sasl_ssl.plain.sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required user_${kafkaPlain.username}="${kafkaPlain.password}";`,
      "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config":
        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
      "listener.name.sasl_ssl.ssl.keystore.type": "PEM",
      "listener.name.sasl_ssl.ssl.keystore.location": join(dir, "server-keystore.pem"),
      "listener.name.sasl_ssl.ssl.truststore.type": "PEM",
      "listener.name.sasl_ssl.ssl.truststore.location": join(dir, "ca.pem"),
      "listener.name.sasl_ssl.ssl.client.auth": "required",
    },
  });
  kafkaTls = `${host}:${securePort}`;
  // The SCRAM credential, stored through the plaintext listener (packages/kafka's fixture).
  const libs = await fetchKafkaJars(kafka.version);
  const source = join(repo, "packages/kafka/test-fixtures/AddScramUser.java");
  const result = spawnSync(
    "java",
    ["-cp", `${libs}/*`, source, kafka.brokers[0]!, kafkaScram.username, "SCRAM-SHA-512"],
    { env: { ...process.env, SCRAM_PASSWORD: kafkaScram.password }, encoding: "utf8", timeout: 120_000 },
  );
  if (result.status !== 0) throw new Error(`AddScramUser exited ${result.status}: ${result.stderr}`);
}

/** RabbitMQ's sha256 password hash (4-byte salt, then SHA-256 of salt and password), base64. */
function rabbitHash(password: string): string {
  const salt = randomBytes(4);
  const digest = createHash("sha256")
    .update(Buffer.concat([salt, Buffer.from(password, "utf8")]))
    .digest();
  return Buffer.concat([salt, digest]).toString("base64");
}

/** A RabbitMQ with a TLS listener requiring client certificates and a user of our own. */
async function startSecureRabbit(): Promise<void> {
  const user = (name: string, password: string, tags: string) => ({
    name,
    password_hash: rabbitHash(password),
    hashing_algorithm: "rabbit_password_hashing_sha256",
    tags,
  });
  const all = (name: string) => ({ user: name, vhost: "/", configure: ".*", write: ".*", read: ".*" });
  const definitions = {
    users: [user("guest", "guest", "administrator"), user(rabbitUser.username, rabbitUser.password, "")],
    vhosts: [{ name: "/" }],
    permissions: [all("guest"), all(rabbitUser.username)],
  };
  await writeFile(join(dir, "definitions.json"), JSON.stringify(definitions));
  rabbit = await startRabbitMQ({
    tls: {
      caFile: join(dir, "ca.pem"),
      certFile: join(dir, "server.crt"),
      keyFile: join(dir, "server.key"),
      verifyPeer: true,
    },
    config: { load_definitions: join(dir, "definitions.json") },
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kytos-events-secrets-"));
  await makeCertificates();
  await Promise.all([startSecureKafka(), startSecureRabbit()]);
  recordOutput();
}, 240_000);

afterAll(async () => {
  for (const undo of restore.splice(0)) undo();
  await Promise.all([kafka?.destroy(), rabbit?.destroy()]);
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

// ---- paths -------------------------------------------------------------------------------

const clientTls = () => ({ ca: pem.ca, cert: pem.clientCert, key: pem.clientKey });

/** Connects; returns the error (captured) or undefined; the transport is captured and closed. */
async function connectOutcome(capture: Capture, transport: Transport): Promise<KytosEventsError | undefined> {
  capture.transport(transport);
  try {
    await transport.connect();
    return undefined;
  } catch (err) {
    capture.error(err);
    return err as KytosEventsError;
  } finally {
    await transport.close().catch((err: unknown) => capture.error(err));
  }
}

/** Sends one record and reads it back from the beginning in a new group. */
async function roundTrip(capture: Capture, transport: Transport, destination: string, spec: object) {
  capture.transport(transport);
  try {
    await transport.connect();
    await transport.ensureDestinations([{ name: destination, ...spec }]);
    const reader = new Collector(
      await transport.subscribe({
        group: `secrets-${randomUUID()}`,
        destinations: [destination],
        fromBeginning: true,
      }),
    );
    await transport.send([
      {
        destination,
        key: "link-1",
        value: Uint8Array.of(1, 2, 3),
        headers: { "ke-event-type": "kytos/topology.link_down" },
      },
    ]);
    await reader.count(1, 60_000);
    expect([...reader.records[0]!.value]).toEqual([1, 2, 3]);
    await reader.records[0]!.ack();
    await reader.close();
    capture.transport(transport);
  } catch (err) {
    capture.error(err);
    throw err;
  } finally {
    await transport.close();
  }
}

describe("no password or key material in logs, errors, inspected transports or printed output", () => {
  const kafkaConfig = (c: Partial<KafkaTransportConfig>, capture: Capture): KafkaTransportConfig => ({
    brokers: kafkaTls,
    connectionTimeoutMs: 3000,
    sendRetryTimeMs: 500,
    logger: capture.logger,
    ...c,
  });

  it("Kafka SASL_SSL with SCRAM-SHA-512 and a client certificate: a round trip", async () => {
    const capture = new Capture();
    const transport = createKafkaTransport(kafkaConfig({ sasl: kafkaScram, tls: clientTls() }, capture));
    await roundTrip(capture, transport, `secrets-${randomUUID().slice(0, 8)}`, { partitions: 1 });
    expectNoSecret(capture.all, "Kafka SCRAM round trip");
  });

  it.each([
    ["a wrong SCRAM-SHA-512 password", { ...kafkaScram, password: wrong }],
    ["a wrong PLAIN password", { ...kafkaPlain, password: wrong }],
  ])("Kafka SASL_SSL with %s: KE_AUTHENTICATION_FAILED, nothing secret shown", async (_, sasl) => {
    const capture = new Capture();
    const err = await connectOutcome(
      capture,
      createKafkaTransport(kafkaConfig({ sasl, tls: clientTls() }, capture)),
    );
    expect(err?.code).toBe(ErrorCode.AuthenticationFailed);
    expect(capture.all).toMatch(/SASL/);
    expectNoSecret(capture.all, "Kafka wrong password");
  });

  it("Kafka SASL_SSL with an untrusted CA: KE_AUTHENTICATION_FAILED, nothing secret shown", async () => {
    const capture = new Capture();
    const err = await connectOutcome(
      capture,
      createKafkaTransport(
        kafkaConfig({ sasl: kafkaScram, tls: { ...clientTls(), ca: pem.otherCa } }, capture),
      ),
    );
    expect(err?.code).toBe(ErrorCode.AuthenticationFailed);
    expect(capture.all).toMatch(/TLS/);
    expectNoSecret(capture.all, "Kafka untrusted CA");
  });

  const amqpsUrl = (login: string) => rabbit.tlsUrl.replace("guest:guest", login);
  const amqpConfig = (c: AmqpTransportConfig, capture: Capture): AmqpTransportConfig => ({
    exchange: "secrets",
    logger: capture.logger,
    connectionTimeoutMs: 3000,
    ...c,
  });

  it("RabbitMQ amqps:// with the password in the URL and a client certificate: a round trip", async () => {
    const capture = new Capture();
    const url = amqpsUrl(`${rabbitUser.username}:${encodeURIComponent(rabbitUser.password)}`);
    const transport = createAmqpTransport(amqpConfig({ url, tls: clientTls() }, capture));
    await roundTrip(capture, transport, "secrets-events", { eventPrefixes: [""] });
    expect(capture.all).toContain(`${rabbitUser.username}:***@localhost`);
    expectNoSecret(capture.all, "amqps round trip");
  });

  it.each([
    [
      "a wrong password in the URL",
      (c: Capture) => amqpConfig({ url: amqpsUrl(`guest:${wrong}`), tls: clientTls() }, c),
    ],
    [
      "a wrong password in the options",
      (c: Capture) =>
        amqpConfig(
          { url: amqpsUrl(""), username: rabbitUser.username, password: wrong, tls: clientTls() },
          c,
        ),
    ],
    [
      "an untrusted CA",
      (c: Capture) =>
        amqpConfig(
          {
            url: amqpsUrl(`${rabbitUser.username}:${rabbitUser.password}`),
            tls: { ...clientTls(), ca: pem.otherCa },
          },
          c,
        ),
    ],
  ])("RabbitMQ amqps:// with %s: KE_AUTHENTICATION_FAILED, nothing secret shown", async (_, config) => {
    const capture = new Capture();
    const err = await connectOutcome(capture, createAmqpTransport(config(capture)));
    expect(err?.code).toBe(ErrorCode.AuthenticationFailed);
    expect(err?.message).toContain(":***@localhost");
    expectNoSecret(capture.all, "amqps refused");
  });

  it("RabbitMQ amqp:// (shared server) with a wrong password in the URL: KE_AUTHENTICATION_FAILED, nothing secret shown", async () => {
    const capture = new Capture();
    const url = (process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672").replace(
      /:[^:@/]*@/,
      `:${wrong}@`,
    );
    const err = await connectOutcome(capture, createAmqpTransport(amqpConfig({ url }, capture)));
    expect(err?.code).toBe(ErrorCode.AuthenticationFailed);
    expectNoSecret(capture.all, "amqp refused");
  });

  it("the CLI (a child process) with a wrong password in --url and in AMQP_URL: the masked URL on stderr, no password", async () => {
    const url = (process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672").replace(
      /:[^:@/]*@/,
      `:${wrong}@`,
    );
    const bin = join(repo, "packages/cli/src/bin.ts");
    const cli = (args: string[], env: NodeJS.ProcessEnv) =>
      new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", "--conditions=@kytos-events/source", bin, "tail", ...args],
          { cwd: join(repo, "packages/cli"), env: { ...process.env, KAFKA_BROKERS: "", ...env } },
        );
        const chunks: Buffer[] = [];
        child.stdout.on("data", (b: Buffer) => chunks.push(b));
        child.stderr.on("data", (b: Buffer) => chunks.push(b));
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        child.once("error", reject);
        child.once("close", (code) => {
          clearTimeout(timer);
          resolve({ code, out: Buffer.concat(chunks).toString("utf8") });
        });
      });
    for (const [args, env] of [
      [["--transport", "amqp", "--url", url], {}],
      [["--transport", "amqp"], { AMQP_URL: url }],
    ] as const) {
      const { code, out } = await cli([...args], env);
      expect(code).not.toBe(0);
      expect(out).toContain(":***@127.0.0.1");
      expectNoSecret(out, `CLI ${args.join(" ")}`);
    }
  });

  it("nothing secret was printed to the console or the worker's stdout/stderr during any path", () => {
    expectNoSecret(printed.join("\n"), "console/stdout/stderr");
  });
});
