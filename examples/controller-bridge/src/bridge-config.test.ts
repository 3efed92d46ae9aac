// The configuration file is checked whole, with defaults filled in and every mistake named.
import { describe, expect, it } from "vitest";
import { parseBridgeConfig } from "./bridge-config.js";

const minimal = { source: "kytos-1", transport: { kind: "kafka", brokers: "k:9092" } };

describe("parseBridgeConfig", () => {
  it("fills in the documented defaults", () => {
    expect(parseBridgeConfig(minimal, "b.json")).toEqual({
      source: "kytos-1",
      listen: { host: "127.0.0.1", port: 8787 },
      transport: { kind: "kafka", brokers: "k:9092" },
      filter: {},
      routing: {},
      buffer: {},
      maxBodyBytes: 1024 * 1024,
      eventLogs: undefined,
    });
  });

  it("defaults the event_logs ingest to kafka_events' topic on the output Kafka, from now on", () => {
    expect(parseBridgeConfig({ ...minimal, eventLogs: {} }, "b.json").eventLogs).toEqual({
      brokers: "k:9092",
      topic: "event_logs",
      group: "kytos-events-bridge",
      from: "latest",
      deadLetterTopic: "event_logs.dlq",
      maxInFlight: 1000,
    });
  });

  it.each([
    [{ ...minimal, sourc: "x" }, /\(top level\)\.sourc is not a setting/],
    [{ transport: minimal.transport }, /source must be a non-empty string/],
    [{ ...minimal, transport: { kind: "nats" } }, /transport.kind must be "kafka" or "amqp", got "nats"/],
    [
      { ...minimal, transport: { kind: "amqp", brokers: "k:9092" } },
      /transport of kind amqp takes url and exchange/,
    ],
    [{ ...minimal, listen: { port: 70000 } }, /listen.port must be an integer from 0 to 65535/],
    [{ ...minimal, filter: { allow: "kytos/.*" } }, /filter.allow must be a list/],
    [{ ...minimal, routing: { verbose: "x" } }, /routing.verbose is not a setting/],
    [{ ...minimal, eventLogs: { from: "now" } }, /eventLogs.from must be "latest" or "beginning"/],
    [
      { ...minimal, transport: { kind: "amqp" }, eventLogs: {} },
      /eventLogs.brokers is required when the output transport is not Kafka/,
    ],
  ])("refuses %j naming the problem", (config, message) => {
    expect(() => parseBridgeConfig(config, "b.json")).toThrow(
      expect.objectContaining({ code: "KE_CONFIG_INVALID", message: expect.stringMatching(message) }),
    );
  });
});
