// W3C Trace Context (https://www.w3.org/TR/trace-context/) as a TextMapPropagator: `traceparent`
// (version-traceid-spanid-flags) and `tracestate`. Our own small codec rather than the SDK's, so
// this package needs only @opentelemetry/api and propagates W3C headers even when the
// application registered no global propagator (the API's default propagates nothing).
import {
  type Context,
  createTraceState,
  isSpanContextValid,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from "@opentelemetry/api";

const TRACEPARENT = "traceparent";
const TRACESTATE = "tracestate";
const HEX_LOWER = /^[\da-f]+$/;

/** Writes and reads the W3C `traceparent` and `tracestate` headers. */
export class W3CTraceContextPropagator implements TextMapPropagator {
  /** Writes the context's span as `traceparent` (and `tracestate` when it has one); nothing without a valid span. */
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const span = trace.getSpanContext(context);
    if (!span || !isSpanContextValid(span)) return;
    const flags = (span.traceFlags & 0xff).toString(16).padStart(2, "0");
    setter.set(carrier, TRACEPARENT, `00-${span.traceId}-${span.spanId}-${flags}`);
    const state = span.traceState?.serialize();
    if (state) setter.set(carrier, TRACESTATE, state);
  }

  /** Returns `context` with the remote span of a valid `traceparent`; `context` unchanged otherwise. */
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const parsed = parseTraceparent(single(getter.get(carrier, TRACEPARENT)));
    if (!parsed) return context;
    const state = getter.get(carrier, TRACESTATE);
    const joined = Array.isArray(state) ? state.join(",") : state;
    return trace.setSpanContext(context, {
      ...parsed,
      isRemote: true,
      ...(joined ? { traceState: createTraceState(joined) } : {}),
    });
  }

  /** The header names this propagator uses. */
  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}

/** A header that arrived twice is ambiguous; W3C says to ignore a traceparent then. */
function single(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}

/**
 * Version 00 is exactly 55 characters. A later version may append fields after the flags, which
 * a version-00 reader ignores; version ff is invalid; all-zero ids are invalid.
 */
function parseTraceparent(
  value: string | undefined,
): { traceId: string; spanId: string; traceFlags: number } | undefined {
  if (value === undefined) return undefined;
  const raw = value.trim();
  const parts = raw.split("-");
  if (parts.length < 4) return undefined;
  const [version, traceId, spanId, flags] = parts as [string, string, string, string];
  if (version.length !== 2 || !HEX_LOWER.test(version) || version === "ff") return undefined;
  if (version === "00" && (parts.length !== 4 || raw.length !== 55)) return undefined;
  if (traceId.length !== 32 || spanId.length !== 16 || flags.length !== 2) return undefined;
  if (!HEX_LOWER.test(traceId) || !HEX_LOWER.test(spanId) || !HEX_LOWER.test(flags)) return undefined;
  const context = { traceId, spanId, traceFlags: Number.parseInt(flags, 16) };
  return isSpanContextValid(context) ? context : undefined;
}
