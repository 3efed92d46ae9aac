// The observability switches of BAPM's command line: both off unless asked, the flag winning
// over the environment, a port refused when it is not one.
import { describe, expect, it } from "vitest";
import { parseOptions, UsageError } from "./options.js";

const kafka = { KAFKA_BROKERS: "127.0.0.1:9092" };

describe("parseOptions", () => {
  it("serves no metrics unless --metrics-port or METRICS_PORT asks, the flag winning", () => {
    expect(parseOptions([], kafka)?.metricsPort).toBeUndefined();
    expect(parseOptions([], { ...kafka, METRICS_PORT: "" })?.metricsPort).toBeUndefined();
    expect(parseOptions([], { ...kafka, METRICS_PORT: "9464" })?.metricsPort).toBe(9464);
    expect(parseOptions(["--", "--metrics-port", "0"], { ...kafka, METRICS_PORT: "9464" })?.metricsPort).toBe(
      0,
    );
  });

  it("refuses a metrics port that is not a port number", () => {
    expect(() => parseOptions(["--metrics-port", "http"], kafka)).toThrow(UsageError);
    expect(() => parseOptions(["--metrics-port", "70000"], kafka)).toThrow(/0-65535/);
    expect(() => parseOptions([], { ...kafka, METRICS_PORT: "-1" })).toThrow(UsageError);
  });

  it("prints spans only with --otel-console or OTEL_TRACES=console", () => {
    expect(parseOptions([], kafka)?.otelConsole).toBe(false);
    expect(parseOptions([], { ...kafka, OTEL_TRACES: "otlp" })?.otelConsole).toBe(false);
    expect(parseOptions([], { ...kafka, OTEL_TRACES: "console" })?.otelConsole).toBe(true);
    expect(parseOptions(["--otel-console"], kafka)?.otelConsole).toBe(true);
  });
});
