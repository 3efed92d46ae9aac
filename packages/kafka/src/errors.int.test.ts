// Bad connection settings fail with an error that names what is wrong: a broker nobody listens
// on is KE_TRANSPORT_UNAVAILABLE naming that broker (retriable, so a producer's outage buffer
// holds events); SASL credentials against a listener that does not speak SASL are
// KE_AUTHENTICATION_FAILED (not retriable), and the password appears in no error, cause, stack
// or log line.
import { inspect } from "node:util";
import { freePort } from "@kytos-events/brokers";
import { ErrorCode, type KytosEventsError, type LogFields, type Logger, SendError } from "@kytos-events/core";
import { describe, expect, it } from "vitest";
import type { KafkaSaslConfig } from "./config.js";
import { createKafkaTransport } from "./kafka-transport.js";

const brokers = process.env.KAFKA_BROKERS!;

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      lines.push(`${level} ${message} ${inspect(fields ?? {}, { depth: 10 })}`);
    };
  return { lines, logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
}

async function rejectionOf(promise: Promise<unknown>): Promise<KytosEventsError> {
  try {
    await promise;
  } catch (err) {
    return err as KytosEventsError;
  }
  throw new Error("expected a rejection");
}

/** Everything a user could see of an error: message, stack and the whole cause chain. */
const everything = (err: unknown) => inspect(err, { depth: 20 });

describe("kafka transport errors", () => {
  it("rejects connect() to a closed port with KE_TRANSPORT_UNAVAILABLE naming the broker, and fails sends as retriable", async () => {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const transport = createKafkaTransport({
      brokers: address,
      connectionTimeoutMs: 500,
      sendRetryTimeMs: 1000,
    });
    try {
      const err = await rejectionOf(transport.connect());
      expect(err.code).toBe(ErrorCode.TransportUnavailable);
      expect(err.message).toContain(`Kafka at ${address} did not answer`);
      expect(err.message).toContain("ECONNREFUSED");

      const sendErr = await rejectionOf(
        transport.send([{ destination: "anything", key: "k", value: new Uint8Array([1]), headers: {} }]),
      );
      expect(sendErr).toBeInstanceOf(SendError);
      expect((sendErr as SendError).retriable).toBe(true);
      const failure = (sendErr as SendError).failures[0]!;
      expect(failure.error).toMatchObject({ code: ErrorCode.TransportUnavailable });
      expect(failure.error.message).toContain(address);
    } finally {
      await transport.close();
    }
  });

  describe.each<KafkaSaslConfig["mechanism"]>(["plain", "scram-sha-256", "scram-sha-512"])(
    "SASL %s against a PLAINTEXT listener",
    (mechanism) => {
      const password = `pw-${mechanism}-${Math.random().toString(36).slice(2)}-do-not-log`;
      const sasl = { mechanism, username: "alice", password };

      it("rejects connect() and subscribe() with KE_AUTHENTICATION_FAILED naming the broker, never showing the password", async () => {
        const { logger, lines } = recordingLogger();
        const transport = createKafkaTransport({ brokers, sasl, logger });
        try {
          const err = await rejectionOf(transport.connect());
          expect(err.code).toBe(ErrorCode.AuthenticationFailed);
          expect(err.message).toContain(`SASL authentication with Kafka at ${brokers} failed`);
          expect(err.message).toMatch(/Check the username, password and mechanism/);
          const subscribeErr = await rejectionOf(transport.subscribe({ group: "g", destinations: ["t"] }));
          expect(subscribeErr.code).toBe(ErrorCode.AuthenticationFailed);

          for (const e of [err, subscribeErr]) expect(everything(e)).not.toContain(password);
          // kafkajs did log the failed handshake through our logger: the check below is not vacuous.
          expect(lines.some((l) => /SASL/i.test(l))).toBe(true);
          for (const line of lines) expect(line).not.toContain(password);
        } finally {
          await transport.close();
        }
      });

      it("fails a send as non-retriable KE_AUTHENTICATION_FAILED, never showing the password", async () => {
        const { logger, lines } = recordingLogger();
        const transport = createKafkaTransport({ brokers, sasl, logger, sendRetryTimeMs: 60_000 });
        try {
          const err = await rejectionOf(
            transport.send([{ destination: "anything", key: "k", value: new Uint8Array([1]), headers: {} }]),
          );
          expect(err).toBeInstanceOf(SendError);
          expect((err as SendError).retriable).toBe(false);
          expect((err as SendError).failures[0]?.error).toMatchObject({
            code: ErrorCode.AuthenticationFailed,
          });
          expect(everything(err)).not.toContain(password);
          expect(lines.length).toBeGreaterThan(0);
          for (const line of lines) expect(line).not.toContain(password);
        } finally {
          await transport.close();
        }
      });
    },
  );
});
