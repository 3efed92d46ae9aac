// The AsyncAPI 3.0 document of the kytos-events streams, built from what the code itself uses:
// the schema's event registry (names, NApps, keys, roles, payload messages) and core's Router
// with its default routing (which destinations exist, their partitions, which are compacted,
// which events each carries). Channels are destinations, with their Kafka topic settings and
// their AMQP routing through the topic exchange; messages are event types, each an Envelope
// whose payload oneof holds that event, with the record key and headers every transport sets.
import type { DescMessage } from "@bufbuild/protobuf";
import { bindingOf, routingKeyOf } from "@kytos-events/amqp";
import { ContentType, Header, Router, type RoutingConfig } from "@kytos-events/core";
import { EnvelopeSchema, type EventDescriptor, eventDescriptors, SCHEMA_VERSION } from "@kytos-events/schema";
import { type JsonSchema, messageSchema, referencedMessages } from "./json-schema.js";

export interface AsyncApiOptions {
  /** The routing the document describes. Default: core's defaults. */
  readonly routing?: RoutingConfig;
  /** The AMQP topic exchange. Default "kytos.events" (the amqp transport's default). */
  readonly exchange?: string;
}

type Doc = Record<string, unknown>;

const KAFKA_BINDING = "0.5.0";
const AMQP_BINDING = "0.3.0";
const HEADERS_SCHEMA = "KytosHeaders";

export function buildAsyncApiDocument(options: AsyncApiOptions = {}): Doc {
  const exchange = options.exchange ?? "kytos.events";
  const router = new Router(options.routing);
  const specs = router.destinationSpecs();
  const carried = new Map<string, EventDescriptor[]>(specs.map((s) => [s.name, []]));
  for (const d of eventDescriptors) {
    for (const destination of router.route(d.name, "client")) {
      const list = carried.get(destination);
      if (!list) throw new Error(`router sends ${d.name} to ${destination}, which destinationSpecs() omits`);
      list.push(d);
    }
  }

  const channels: Doc = {};
  const operations: Doc = {};
  const ids = new Set<string>();
  for (const spec of specs) {
    const id = channelId(spec.name);
    if (ids.has(id)) throw new Error(`two destinations map to the channel id ${id}`);
    ids.add(id);
    const events = carried.get(spec.name) ?? [];
    const bindingKeys = (spec.eventPrefixes ?? [""]).map(bindingOf);
    channels[id] = {
      address: spec.name,
      title: spec.name,
      description: describeDestination(spec.name, spec.compacted === true, events, exchange, bindingKeys),
      messages: Object.fromEntries(
        events.map((d) => [d.payloadCase, { $ref: `#/components/messages/${d.payloadCase}` }]),
      ),
      bindings: {
        kafka: {
          topic: spec.name,
          partitions: spec.partitions ?? 1,
          topicConfiguration: { "cleanup.policy": [spec.compacted ? "compact" : "delete"] },
          bindingVersion: KAFKA_BINDING,
        },
        amqp: {
          is: "routingKey",
          exchange: { name: exchange, type: "topic", durable: true, autoDelete: false, vhost: "/" },
          bindingVersion: AMQP_BINDING,
        },
      },
      "x-amqp-binding-keys": bindingKeys,
    };
    operations[`publish_${id}`] = {
      action: "send",
      channel: { $ref: `#/channels/${id}` },
      title: `Publish to ${spec.name}`,
      summary: "The controller-side producer publishes each event with publisher acknowledgement.",
      messages: events.map((d) => ({ $ref: `#/channels/${id}/messages/${d.payloadCase}` })),
      bindings: {
        amqp: {
          cc: events.map((d) => routingKeyOf(d.name)),
          deliveryMode: 2,
          mandatory: true,
          bindingVersion: AMQP_BINDING,
        },
      },
    };
  }

  return {
    asyncapi: "3.0.0",
    info: {
      title: "kytos-events",
      version: String(SCHEMA_VERSION),
      description: INFO,
      license: { name: "MIT", url: "https://opensource.org/licenses/MIT" },
    },
    defaultContentType: ContentType.Protobuf,
    servers: {
      kafka: {
        host: "localhost:9092",
        protocol: "kafka",
        description: "Apache Kafka (tested with 3.9 and 4.x), through @kytos-events/kafka.",
      },
      amqp: {
        host: "localhost:5672",
        protocol: "amqp",
        protocolVersion: "0.9.1",
        description: `RabbitMQ (tested with 3.10), through @kytos-events/amqp: events go to the topic exchange "${exchange}".`,
      },
    },
    channels,
    operations,
    components: {
      messages: Object.fromEntries(eventDescriptors.map((d) => [d.payloadCase, eventMessage(d)])),
      schemas: schemas(),
    },
  };
}

/** Channel ids allow letters, digits, "_" and "-" only. */
export function channelId(destination: string): string {
  return destination.replace(/[^A-Za-z0-9_-]/g, "_");
}

function describeDestination(
  name: string,
  compacted: boolean,
  events: readonly EventDescriptor[],
  exchange: string,
  bindingKeys: readonly string[],
): string {
  const napps = [...new Set(events.map((d) => d.napp))];
  const what = compacted
    ? `Compacted status stream: the latest event per key (${[...new Set(events.map((d) => d.keyTemplate))].join(", ")}) of ${napps.join(", ")}; read it from the beginning to get the current state without replaying history.`
    : napps.length === 1
      ? `Every event of the NApp ${napps[0]}.`
      : `The verbose stream: every event of every NApp (${events.length} event types).`;
  const amqp = compacted
    ? `On RabbitMQ: bound to "${exchange}" with ${bindingKeys.join(", ")} through the headers exchange "${exchange}.last.${name}" into last-value queues, one per key.`
    : `On RabbitMQ: each consumer group's queue is bound to "${exchange}" with ${bindingKeys.join(", ")}.`;
  return `${what} ${amqp}`;
}

function eventMessage(d: EventDescriptor): Doc {
  const field = envelopeField(d);
  const type: JsonSchema = d.pattern ? { type: "string", pattern: d.pattern.source } : { const: d.name };
  return {
    name: d.name,
    title: d.name,
    summary: `${d.name}, raised by ${d.napp}${d.keyTemplate ? `, keyed by ${d.keyTemplate}` : ""}.`,
    contentType: ContentType.Protobuf,
    headers: {
      allOf: [
        { $ref: `#/components/schemas/${HEADERS_SCHEMA}` },
        { type: "object", properties: { [Header.EventType]: type } },
      ],
    },
    payload: {
      allOf: [
        { $ref: `#/components/schemas/${EnvelopeSchema.typeName}` },
        {
          type: "object",
          required: [field.jsonName],
          properties: { type, [field.jsonName]: { $ref: `#/components/schemas/${d.schema.typeName}` } },
        },
      ],
    },
    bindings: {
      kafka: {
        key: {
          type: "string",
          description: d.keyTemplate
            ? `The envelope key, ${d.keyTemplate}: same key, same partition, delivered in order.`
            : "Empty: this event has no key.",
        },
        bindingVersion: KAFKA_BINDING,
      },
      amqp: { messageType: d.name, bindingVersion: AMQP_BINDING },
    },
    "x-kytos-event": {
      napp: d.napp,
      topic: d.topic,
      role: d.role,
      highVolume: d.highVolume,
      keyTemplate: d.keyTemplate,
      payloadCase: d.payloadCase,
      amqpRoutingKey: routingKeyOf(d.name),
      ...(d.status ? { status: { entity: d.status.entity, state: d.status.state } } : {}),
      ...(d.placeholders ? { placeholders: d.placeholders } : {}),
    },
  };
}

function envelopeField(d: EventDescriptor) {
  const field = EnvelopeSchema.fields.find((f) => f.localName === d.payloadCase);
  if (!field) throw new Error(`the Envelope has no payload field for ${d.name} (case ${d.payloadCase})`);
  return field;
}

function schemas(): Doc {
  const refs = { ref: (m: DescMessage) => ({ $ref: `#/components/schemas/${m.typeName}` }) };
  const common = EnvelopeSchema.fields.filter((f) => f.oneof === undefined);
  const out: Doc = {
    [HEADERS_SCHEMA]: headersSchema(),
    [EnvelopeSchema.typeName]: {
      ...messageSchema(EnvelopeSchema, refs, common),
      description:
        "Every record's value: the envelope fields below plus exactly one payload field, named by the event (see each message).",
    },
  };
  const events = eventDescriptors.map((d) => d.schema as DescMessage);
  for (const m of referencedMessages(events)) out[m.typeName] = messageSchema(m, refs);
  return out;
}

function headersSchema(): JsonSchema {
  const text = (description: string) => ({ type: "string", description });
  return {
    type: "object",
    description:
      "Record headers (Kafka headers, AMQP message headers); the envelope stays the source of truth.",
    required: [Header.ContentType, Header.EventType, Header.EventId, Header.SchemaVersion, Header.Source],
    properties: {
      [Header.ContentType]: {
        type: "string",
        enum: [ContentType.Protobuf, ContentType.Json],
        description: `${ContentType.Protobuf} (binary, the default) or ${ContentType.Json} (Protobuf JSON, for debugging).`,
      },
      [Header.EventType]: text("The controller's event name, e.g. kytos/topology.link_down."),
      [Header.EventId]: text("The envelope id (UUIDv7)."),
      [Header.SchemaVersion]: {
        type: "string",
        pattern: "^[0-9]+$",
        description: "The envelope's schema_version.",
      },
      [Header.Source]: text("The controller instance that raised the event."),
      [Header.Key]: text("RabbitMQ only: the record key (AMQP messages have no key field)."),
      [Header.TraceParent]: text("W3C trace context, when the producer propagates traces."),
      [Header.TraceState]: text("W3C trace context vendor state."),
    },
  };
}

const INFO = `Controller events of Kytos-ng (links, switches, interfaces, EVCs, flows…) as typed Protobuf messages (package kytos.events.v1) over Apache Kafka or RabbitMQ.

Every record's value is a kytos.events.v1.Envelope (id, type, source, sequence, occurred_at, key, schema_version and a payload oneof with one field per event type), binary Protobuf by default. The payload schemas here are JSON Schema for the Protobuf JSON mapping of those messages; the .proto files under proto/ are the authority.

Destinations: one per NApp, the verbose stream kytos.events with every event, and compacted status streams per entity. Per-key order holds within a destination. Delivery is at least once; consumers deduplicate by envelope id and detect gaps by (source, sequence).

Generated by tools/asyncapi from @kytos-events/schema and the default routing of @kytos-events/core; do not edit by hand.`;
