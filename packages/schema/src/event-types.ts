// The type-level view of the event catalog: event names, payload types, init shapes and the
// descriptor the registry hands out. The maps themselves are generated from the (event)
// options (gen/kytos/events/v1/event_registry.ts); this module names what other packages
// program against.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type {
  EventCaseMap,
  EventMap,
  EventRole,
  EventSchemaMap,
  StatusEntity,
  StatusState,
} from "./gen/kytos/events/v1/event_registry.js";

export type { EventCaseMap, EventMap, EventRole, EventSchemaMap, StatusEntity, StatusState };

/**
 * Every controller event name with a schema. A family contributes a template-literal type,
 * e.g. `kytos/core.shutdown.${string}`, so each of its concrete names is an EventName.
 */
export type EventName = keyof EventMap & string;

/** The payload message of an event: `EventPayload<"kytos/topology.link_down">` is TopologyLinkDown. */
export type EventPayload<N extends EventName> = EventMap[N];

/** What `create()` accepts to build an event's payload (plain object, nested messages optional). */
export type EventInit<N extends EventName> = MessageInitShape<EventSchemaMap[N]>;

/** The envelope payload cases, one per event message. */
export type PayloadCase = keyof EventCaseMap;

/** Set on status events: the entity the key names and the state the event reports. */
export interface EventStatus {
  readonly entity: StatusEntity;
  readonly state: StatusState;
}

/** Everything the schema says about one event (or one family of names). */
export interface EventDescriptor<N extends EventName = EventName> {
  /** The exact controller name, or for a family its template, e.g. "kytos/core.shutdown.<napp_id>". */
  readonly name: string;
  /** Families only: matches the concrete names; named groups are the placeholders. */
  readonly pattern?: RegExp;
  /** Families only: placeholder names, each also a string field of the payload. */
  readonly placeholders?: readonly string[];
  /** The NApp that raises it, e.g. "kytos/topology". */
  readonly napp: string;
  readonly role: EventRole;
  /** The per-NApp topic/queue name, e.g. "kytos.topology". */
  readonly topic: string;
  /** Frequent or large: consumers should opt in. */
  readonly highVolume: boolean;
  readonly schema: EventSchemaMap[N];
  /** The envelope payload case that carries it. */
  readonly payloadCase: PayloadCase;
  /** The key template from the schema, e.g. "{link.id}"; "" when the event has no key. */
  readonly keyTemplate: string;
  /** The envelope key of a payload (link id, dpid, interface id, EVC id), "" when none. */
  key(payload: EventPayload<N>): string;
  readonly status?: EventStatus;
}
