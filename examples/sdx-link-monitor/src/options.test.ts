// The monitor's metrics switch: off unless asked, the flag winning over the environment, a
// port refused when it is not one.
import { describe, expect, it } from "vitest";
import { parseOptions, UsageError } from "./options.js";

describe("parseOptions", () => {
  it("serves no metrics unless --metrics-port or METRICS_PORT asks, the flag winning", () => {
    expect(parseOptions([], {})?.metricsPort).toBeUndefined();
    expect(parseOptions([], { METRICS_PORT: "" })?.metricsPort).toBeUndefined();
    expect(parseOptions([], { METRICS_PORT: "9464" })?.metricsPort).toBe(9464);
    expect(parseOptions(["--", "--metrics-port", "0"], { METRICS_PORT: "9464" })?.metricsPort).toBe(0);
  });

  it("refuses a metrics port that is not a port number", () => {
    expect(() => parseOptions(["--metrics-port", "http"], {})).toThrow(UsageError);
    expect(() => parseOptions(["--metrics-port", "70000"], {})).toThrow(/0-65535/);
    expect(() => parseOptions([], { METRICS_PORT: "-1" })).toThrow(UsageError);
  });
});
