// The event registry: lookups over the generated event definitions by controller name
// (exact names first, then family patterns) and by envelope payload case.
import { ErrorCode, KytosEventsError } from "./errors.js";
import type { EventCaseMap, EventDescriptor, EventName, PayloadCase } from "./event-types.js";
import { eventDefinitions } from "./gen/kytos/events/v1/event_registry.js";

/** Every event descriptor, in envelope order (grouped by NApp). */
export const eventDescriptors: readonly EventDescriptor[] = eventDefinitions;

const byName = new Map<string, EventDescriptor>();
const byCase = new Map<string, EventDescriptor>();
const families: EventDescriptor[] = [];
for (const d of eventDescriptors) {
  byCase.set(d.payloadCase, d);
  if (d.pattern) families.push(d);
  else byName.set(d.name, d);
}

/** The descriptor for a controller event name, or undefined when the schema has none. */
export function findEventDescriptor(name: string): EventDescriptor | undefined {
  const exact = byName.get(name);
  if (exact) return exact;
  for (const family of families) if (family.pattern?.test(name)) return family;
  return undefined;
}

/** True when `name` has a schema (exactly, or as a member of a family). */
export function isEventName(name: string): name is EventName {
  return findEventDescriptor(name) !== undefined;
}

/** The descriptor for an event name; throws KE_UNKNOWN_EVENT_NAME when there is none. */
export function getEventDescriptor<N extends EventName>(name: N): EventDescriptor<N>;
export function getEventDescriptor(name: string): EventDescriptor;
export function getEventDescriptor(name: string): EventDescriptor {
  const found = findEventDescriptor(name);
  if (found) return found;
  throw new KytosEventsError(
    ErrorCode.UnknownEventName,
    `Unknown event name "${name}": it is not in the kytos.events.v1 schema. Check the spelling, ` +
      "or add the event to proto/ (see proto/README.md) and upgrade @kytos-events/schema.",
  );
}

/** The descriptor for an envelope payload case (as decoded from the wire). */
export function getEventDescriptorByCase<C extends PayloadCase>(
  payloadCase: C,
): EventDescriptor<EventCaseMap[C]> {
  const found = byCase.get(payloadCase);
  if (!found) {
    throw new KytosEventsError(ErrorCode.UnknownEventName, `Unknown payload case "${payloadCase}".`);
  }
  return found as EventDescriptor<EventCaseMap[C]>;
}
