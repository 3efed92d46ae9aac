// The producer side of tracing: a PRODUCER span per event and lane, started inside `publish`
// (so its parent is whatever span the caller has active), whose context is injected into the
// lane's record headers as the message's creation context, and which ends when that lane
// settles the event — delivered (broker acknowledgement), spooled, dropped or failed.
import {
  type Attributes,
  type Context,
  context,
  defaultTextMapSetter,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { Attr, messagingSystem } from "./messaging-attributes.js";

/** What the producer's `onPublish` hook passes (the fields this adapter reads). */
export interface PublishedEventInfo {
  readonly id: string;
  readonly type: string;
  readonly key: string;
  readonly lane: string;
  readonly transport: string;
  readonly destinations: readonly string[];
}

/** A lane's outcome, as the producer reports it. */
export interface LaneOutcome {
  readonly status: string;
  readonly reason?: string;
  readonly error?: Error & { readonly code?: string };
}

export interface PublishTrace {
  readonly headers: Readonly<Record<string, string>>;
  readonly settled: (outcome: LaneOutcome) => void;
}

export function startPublishSpan(
  tracer: Tracer,
  propagator: TextMapPropagator,
  event: PublishedEventInfo,
): PublishTrace {
  const destination = event.destinations.length === 1 ? event.destinations[0] : undefined;
  const system = messagingSystem(event.transport);
  const attributes: Attributes = {
    [Attr.System]: system,
    [Attr.OperationName]: "send",
    [Attr.OperationType]: "send",
    [Attr.MessageId]: event.id,
    [Attr.EventType]: event.type,
    [Attr.Lane]: event.lane,
  };
  // A span over several destinations (Kafka: the NApp topic and the verbose one) names none.
  if (destination !== undefined) attributes[Attr.DestinationName] = destination;
  else attributes[Attr.Destinations] = [...event.destinations];
  if (system === "kafka" && event.key !== "") attributes[Attr.KafkaMessageKey] = event.key;
  const parent: Context = context.active();
  const span = tracer.startSpan(
    destination !== undefined ? `send ${destination}` : "send",
    { kind: SpanKind.PRODUCER, attributes },
    parent,
  );
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpan(parent, span), headers, defaultTextMapSetter);
  return { headers, settled: (outcome) => endPublishSpan(span, outcome) };
}

function endPublishSpan(span: Span, outcome: LaneOutcome): void {
  span.setAttribute(Attr.Delivery, outcome.status);
  if (outcome.status === "failed") {
    const error = outcome.error;
    span.setAttribute(Attr.ErrorType, error?.code ?? error?.name ?? "failed");
    if (error) span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error?.message ?? "refused by the broker" });
  } else if (outcome.status === "dropped") {
    span.setAttribute(Attr.ErrorType, outcome.reason ?? "dropped");
    span.setStatus({ code: SpanStatusCode.ERROR, message: `dropped: ${outcome.reason ?? "unknown reason"}` });
  }
  span.end();
}
