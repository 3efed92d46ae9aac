import {
  createTraceState,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { W3CTraceContextPropagator } from "./w3c-trace-context.js";

const propagator = new W3CTraceContextPropagator();
const traceId = "0af7651916cd43dd8448eb211c80319c";
const spanId = "b7ad6b7169203331";

const extract = (headers: Record<string, string | string[]>) =>
  trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));

describe("W3CTraceContextPropagator", () => {
  it("writes traceparent (version 00, ids, sampled flag) and tracestate from the context's span", () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId,
      traceFlags: TraceFlags.SAMPLED,
      traceState: createTraceState("vendor=a1,other=b2"),
    });
    const headers: Record<string, string> = {};
    propagator.inject(ctx, headers, defaultTextMapSetter);
    expect(headers).toEqual({ traceparent: `00-${traceId}-${spanId}-01`, tracestate: "vendor=a1,other=b2" });
  });

  it("writes nothing without a valid span context, and no tracestate when it is empty", () => {
    const none: Record<string, string> = {};
    propagator.inject(ROOT_CONTEXT, none, defaultTextMapSetter);
    expect(none).toEqual({});
    const unsampled: Record<string, string> = {};
    propagator.inject(
      trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.NONE }),
      unsampled,
      defaultTextMapSetter,
    );
    expect(unsampled).toEqual({ traceparent: `00-${traceId}-${spanId}-00` });
  });

  it("reads back what it writes, as a remote span context", () => {
    const context = extract({ traceparent: `00-${traceId}-${spanId}-01`, tracestate: "vendor=a1" });
    expect(context).toMatchObject({ traceId, spanId, traceFlags: 1, isRemote: true });
    expect(context?.traceState?.get("vendor")).toBe("a1");
  });

  it("accepts a later version with extra fields, reading the first four", () => {
    expect(extract({ traceparent: `cc-${traceId}-${spanId}-01-what-the-future-holds` })).toMatchObject({
      traceId,
      spanId,
    });
  });

  it.each([
    ["version ff", `ff-${traceId}-${spanId}-01`],
    ["version 00 with extra fields", `00-${traceId}-${spanId}-01-extra`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${spanId}-01`],
    ["an all-zero span id", `00-${traceId}-${"0".repeat(16)}-01`],
    ["upper-case hex", `00-${traceId.toUpperCase()}-${spanId}-01`],
    ["a short trace id", `00-${traceId.slice(1)}-${spanId}-01`],
    ["non-hex flags", `00-${traceId}-${spanId}-0x`],
    ["too few fields", `00-${traceId}-${spanId}`],
    ["garbage", "not a traceparent"],
  ])("ignores a traceparent with %s", (_what, traceparent) => {
    expect(extract({ traceparent })).toBeUndefined();
  });

  it("ignores a traceparent that arrived twice", () => {
    expect(
      extract({ traceparent: [`00-${traceId}-${spanId}-01`, `00-${traceId}-${spanId}-00`] }),
    ).toBeUndefined();
  });

  it("names its fields", () => {
    expect(propagator.fields()).toEqual(["traceparent", "tracestate"]);
  });
});
