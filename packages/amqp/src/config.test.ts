import { inspect } from "node:util";
import { ErrorCode, KytosEventsError } from "@kytos-events/core";
import { describe, expect, it } from "vitest";
import { maskUrl, resolveAmqpConfig } from "./config.js";

function refusal(run: () => unknown): KytosEventsError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(KytosEventsError);
    expect((err as KytosEventsError).code).toBe(ErrorCode.ConfigInvalid);
    return err as KytosEventsError;
  }
  throw new Error("expected a ConfigInvalid error");
}

describe("resolveAmqpConfig", () => {
  it("has the documented defaults", () => {
    const c = resolveAmqpConfig();
    expect(c.endpoint.safeUrl).toBe("amqp://guest:***@127.0.0.1:5672?heartbeat=10");
    expect(c.exchange).toBe("kytos.events");
    expect(c.queueType).toBe("quorum");
    expect(c.deliveryLimit).toBe(20);
    expect(c.queueName).toBe("{group}.{destination}");
    expect(c.singleActiveConsumer).toBe(false);
    expect(c.queueExpiresMs).toBeUndefined();
    expect(c.heartbeatSeconds).toBe(10);
    expect(c.connectionTimeoutMs).toBe(5000);
    expect(c.reconnect).toEqual({ initialDelayMs: 200, maxDelayMs: 5000, jitter: "equal" });
    expect(c.maxMessageBytes).toBe(16 * 1024 * 1024);
    expect(c.maxUnconfirmed).toBe(5000);
    expect(c.consumerLagIntervalMs).toBe(5000);
    expect(resolveAmqpConfig({ consumerLagIntervalMs: 0 }).consumerLagIntervalMs).toBe(0);
  });

  it("takes credentials and vhost from options over the URL, and shows neither password", () => {
    const c = resolveAmqpConfig({
      url: "amqp://old:old-secret@broker:5672/ignored",
      username: "svc kytos",
      password: "p@ss/w:rd",
      vhost: "sdx/prod",
    });
    expect(c.endpoint.connectUrl()).toBe("amqp://broker:5672/sdx%2Fprod?heartbeat=10");
    expect(c.endpoint.login()).toEqual({ username: "svc kytos", password: "p@ss/w:rd" });
    expect(c.endpoint.safeUrl).toBe("amqp://svc%20kytos:***@broker:5672/sdx%2Fprod?heartbeat=10");
    for (const shown of [inspect(c, { depth: 5 }), JSON.stringify(c)]) {
      expect(shown).not.toContain("p@ss");
      expect(shown).not.toContain("p@ss");
      expect(shown).not.toContain("p%40ss");
      expect(shown).not.toContain("old-secret");
    }
  });

  it("decodes percent-encoded credentials of the URL, UTF-8 included", () => {
    const c = resolveAmqpConfig({ url: "amqp://kyt%C3%B3s:caf%C3%A9%40x@h" });
    expect(c.endpoint.login()).toEqual({ username: "kytós", password: "café@x" });
    expect(c.endpoint.safeUrl).toBe("amqp://kyt%C3%B3s:***@h?heartbeat=10");
  });

  it("keeps a heartbeat given in the URL", () => {
    expect(resolveAmqpConfig({ url: "amqp://h?heartbeat=30" }).endpoint.safeUrl).toBe(
      "amqp://h?heartbeat=30",
    );
  });

  it("passes TLS settings to the socket, verifying the broker by default", () => {
    const c = resolveAmqpConfig({
      url: "amqps://u:p@broker:5671",
      tls: { ca: "PEM", servername: "rabbit.example" },
    });
    expect(c.socketOptions).toEqual({
      timeout: 5000,
      clientProperties: { connection_name: "kytos-events" },
      ca: "PEM",
      servername: "rabbit.example",
      rejectUnauthorized: true,
    });
  });

  it("refuses a malformed URL, naming it with the password masked", () => {
    const e = refusal(() => resolveAmqpConfig({ url: "amqp://user:s3cret@ho st:5672" }));
    expect(e.message).toContain("amqp://***@ho st:5672");
    expect(e.message).not.toContain("s3cret");
  });

  it("refuses a URL of another scheme, naming it with the password masked", () => {
    const e = refusal(() => resolveAmqpConfig({ url: "http://user:s3cret@broker:15672" }));
    expect(e.message).toContain("http://user:***@broker:15672");
    expect(e.message).not.toContain("s3cret");
  });

  it("refuses TLS options with a plain amqp:// URL", () => {
    expect(refusal(() => resolveAmqpConfig({ url: "amqp://h", tls: { ca: "x" } })).message).toContain(
      "amqps://",
    );
  });

  it("refuses each invalid setting with a message naming it", () => {
    const cases: [Parameters<typeof resolveAmqpConfig>[0], string][] = [
      [{ exchange: "amq.topic" }, "exchange"],
      [{ exchange: "has space" }, "exchange"],
      [{ queueType: "stream" as never }, "queueType"],
      [{ queueName: "{destination}" }, "queueName"],
      [{ deliveryLimit: 0 }, "deliveryLimit"],
      [{ queueExpiresMs: 0 }, "queueExpiresMs"],
      [{ heartbeatSeconds: -1 }, "heartbeatSeconds"],
      [{ connectionTimeoutMs: Number.NaN }, "connectionTimeoutMs"],
      [{ maxMessageBytes: 0 }, "maxMessageBytes"],
      [{ maxUnconfirmed: 0 }, "maxUnconfirmed"],
      [{ consumerLagIntervalMs: -1 }, "consumerLagIntervalMs"],
      [{ reconnect: { initialDelayMs: -5 } }, "initialDelayMs"],
      [{ url: "amqps://h", tls: { cert: "PEM" } }, "tls.cert and tls.key"],
      [{ url: "amqps://h", tls: { key: "PEM" } }, "tls.cert and tls.key"],
      [{ url: "amqps://h", tls: { rejectUnauthorized: "no" as never } }, "tls.rejectUnauthorized"],
    ];
    for (const [config, name] of cases)
      expect(refusal(() => resolveAmqpConfig(config)).message).toContain(name);
  });
});

describe("maskUrl", () => {
  it("masks the password and keeps everything else", () => {
    expect(maskUrl("amqps://kytos:topsecret@rabbit:5671/prod")).toBe("amqps://kytos:***@rabbit:5671/prod");
    expect(maskUrl("amqp://rabbit:5672")).toBe("amqp://rabbit:5672");
  });
});
