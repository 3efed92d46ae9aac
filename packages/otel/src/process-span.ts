// The consumer side of tracing: a CONSUMER span around each run of an event's handlers, named
// `process <destination>`. Its parent is the creation context carried in the record's headers
// (the publish span), also added as a link as the conventions ask; with no trace context in the
// headers it is a root span — never a child of whatever was active when the consumer started.
// The handlers run with it active, so their own spans nest under it.
import {
  type Attributes,
  type Context,
  context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { Attr, messagingSystem } from "./messaging-attributes.js";

/** What the consumer's `aroundHandler` hook passes (the fields this adapter reads). */
export interface HandlerRunDescription {
  readonly id: string;
  readonly type: string;
  readonly key: string;
  readonly destination: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly attempt: number;
  readonly group: string;
  readonly transport: string;
  readonly bodySize: number;
}

export async function runInProcessSpan(
  tracer: Tracer,
  propagator: TextMapPropagator,
  info: HandlerRunDescription,
  run: () => Promise<void>,
): Promise<void> {
  let parent: Context;
  let span: Span;
  try {
    parent = propagator.extract(ROOT_CONTEXT, info.headers, defaultTextMapGetter);
    span = startProcessSpan(tracer, parent, info);
  } catch {
    // Tracing must never decide an event's fate: a broken propagator or tracer runs it untraced.
    return run();
  }
  try {
    await context.with(trace.setSpan(parent, span), run);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    span.setAttribute(Attr.ErrorType, (error as { code?: string }).code ?? error.name);
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    throw err;
  } finally {
    span.end();
  }
}

function startProcessSpan(tracer: Tracer, parent: Context, info: HandlerRunDescription): Span {
  const creation = trace.getSpanContext(parent);
  const system = messagingSystem(info.transport);
  const attributes: Attributes = {
    [Attr.System]: system,
    [Attr.OperationName]: "process",
    [Attr.OperationType]: "process",
    [Attr.DestinationName]: info.destination,
    [Attr.MessageId]: info.id,
    [Attr.ConsumerGroup]: info.group,
    [Attr.BodySize]: info.bodySize,
    [Attr.EventType]: info.type,
    [Attr.Attempt]: info.attempt,
  };
  if (system === "kafka" && info.key !== "") attributes[Attr.KafkaMessageKey] = info.key;
  return tracer.startSpan(
    `process ${info.destination}`,
    { kind: SpanKind.CONSUMER, attributes, ...(creation ? { links: [{ context: creation }] } : {}) },
    parent,
  );
}
