// Event names → AMQP routing keys and binding patterns. A topic exchange splits keys into
// words at "."; event names also use "/" ("kytos/topology.link_down"), which we turn into "."
// so the NApp becomes words a binding can match: kytos.topology.link_down. Event names never
// contain "*" or "#" (the pattern wildcards), and "." stays ".".

export function routingKeyOf(eventName: string): string {
  return eventName.replaceAll("/", ".");
}

/**
 * Binding patterns for an event-name prefix: "" → "#" (everything); a prefix ending in "."
 * ("kytos/topology.") → "kytos.topology.#"; an exact name → itself plus "<name>.#" (names that
 * extend it with more words, like a family's concrete names).
 */
export function bindingsOf(prefix: string): string[] {
  if (prefix === "") return ["#"];
  const key = routingKeyOf(prefix);
  if (key.endsWith(".")) return [`${key}#`];
  return [key, `${key}.#`];
}
