// The public mappers between an event's controller JSON (KytosEvent.content with objects as
// as_dict() writes them, e.g. kafka_events' "message") and its payload message. For a family,
// the placeholders of the concrete name (e.g. the NApp id of kytos/core.shutdown.<napp_id>)
// are payload fields filled from the name, not from the content.
import type { EventName, EventPayload } from "../event-types.js";
import { getEventDescriptor } from "../registry.js";
import { MappingError } from "./json-path.js";
import { readMessage } from "./read-json.js";
import { writeMessage } from "./write-json.js";

/**
 * Controller JSON → payload. Throws KE_MAPPING_INVALID (a MappingError with the field path)
 * when a required field is missing or has the wrong type; keys the schema does not know are
 * kept in extra_fields. Throws KE_UNKNOWN_EVENT_NAME for a name without a schema.
 */
export function fromKytosJson<N extends EventName>(name: N, content: unknown): EventPayload<N> {
  const d = getEventDescriptor(name);
  const groups = d.pattern ? d.pattern.exec(name)?.groups : undefined;
  const placeholders = d.placeholders ? new Set(d.placeholders) : noPlaceholders;
  // The controller sends no content for some events (kytos/core.shutdown): treat it as {}.
  const json = content === undefined || content === null ? {} : content;
  const fields = readMessage(name, d.schema, json, "", placeholders);
  for (const p of placeholders) fields[localName(d.schema.fields, p)] = groups?.[p] ?? "";
  return fields as EventPayload<N>;
}

/** Payload → controller JSON, as the controller's content would be (objects as as_dict()). */
export function toKytosJson<N extends EventName>(name: N, payload: EventPayload<N>): Record<string, unknown> {
  const d = getEventDescriptor(name);
  if (payload.$typeName !== d.schema.typeName) {
    throw new MappingError(name, "", `is a ${payload.$typeName}, but ${name} carries ${d.schema.typeName}`);
  }
  return writeMessage(name, d.schema, payload, "", d.placeholders ? new Set(d.placeholders) : noPlaceholders);
}

const noPlaceholders: ReadonlySet<string> = new Set();

function localName(fields: readonly { name: string; localName: string }[], protoName: string): string {
  return fields.find((f) => f.name === protoName)?.localName ?? protoName;
}
