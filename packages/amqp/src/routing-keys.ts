// Event names → AMQP routing keys and topic binding patterns.
//
// A topic exchange splits routing keys into words at "." and, in binding patterns, treats a
// word that is exactly "*" (one word) or "#" (zero or more words) as a wildcard. Event names
// use "/" between user and NApp ("kytos/topology.link_down"); it becomes "." so the NApp is
// words a binding can match: "kytos.topology.link_down". Escaping, applied to names and
// prefixes alike so a pattern always matches its names literally:
//   "%" → "%25", "*" → "%2A", "#" → "%23"  (percent-encoding, like a URL)
//   "/" → "."
// The one ambiguity kept on purpose: "a/b.c" and "a.b.c" share a routing key (Kytos has both
// forms, e.g. "kytos.flow_manager.flows.install" beside "kytos/flow_manager.flow.added", and
// both belong to the same NApp). Consumers tell them apart by the `ke-event-type` header.
// A prefix matches whole words only: "kytos/topology." → "kytos.topology.#", an exact name
// "kytos/topology.link_down" → "kytos.topology.link_down.#" (the name itself and names that
// extend it with more words), "" → "#" (everything).

/** AMQP limits routing keys and binding keys to 255 bytes (a short string). */
export const MAX_ROUTING_KEY_BYTES = 255;

const SPECIAL = /[%*#/]/g;
const ESCAPES: Record<string, string> = { "%": "%25", "*": "%2A", "#": "%23", "/": "." };

export function routingKeyOf(eventName: string): string {
  return eventName.replace(SPECIAL, (c) => ESCAPES[c]!);
}

/** The binding pattern that carries every event name starting with `prefix` (whole words). */
export function bindingOf(prefix: string): string {
  if (prefix === "") return "#";
  const key = routingKeyOf(prefix);
  return key.endsWith(".") ? `${key}#` : `${key}.#`;
}

/** True when the routing key fits AMQP's short-string limit. */
export function fitsRoutingKey(key: string): boolean {
  return key.length <= MAX_ROUTING_KEY_BYTES / 3 || Buffer.byteLength(key) <= MAX_ROUTING_KEY_BYTES;
}

/**
 * Whether `eventName` is carried by a destination with these prefixes, by the same whole-word
 * rule the broker's bindings apply (so the producer's view matches the broker's).
 */
export function matchesPrefix(eventName: string, prefix: string): boolean {
  if (prefix === "") return true;
  if (!eventName.startsWith(prefix)) return false;
  return (
    prefix.endsWith(".") ||
    prefix.endsWith("/") ||
    eventName.length === prefix.length ||
    eventName[prefix.length] === "." ||
    eventName[prefix.length] === "/"
  );
}
