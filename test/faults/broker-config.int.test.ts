// Bad broker configuration on the real brokers: a malformed address is refused when the
// transport is created, wrong credentials when it connects; never later, never per message.
import { createAmqpTransport } from "@kytos-events/amqp";
import { ErrorCode, type KytosEventsError } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import { describe, expect, it } from "vitest";

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
