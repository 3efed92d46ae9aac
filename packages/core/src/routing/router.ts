// Which destinations an event goes to: its NApp's destination (one queue/topic per NApp, the
// blueprint's layout), the verbose destination that carries everything, and — for status
// events — a compacted per-entity status destination keyed by link/switch/interface id, from
// which a consumer reads "the latest state of every link" without replaying history.
import {
  ErrorCode,
  type EventDescriptor,
  eventDescriptors,
  findEventDescriptor,
  KytosEventsError,
} from "@kytos-events/schema";
import type { DestinationSpec, TransportCapabilities } from "../transport/transport.js";
import { renderTemplate, validateTemplate } from "./destination-template.js";

export interface RoutingConfig {
  /** Per-NApp destination; placeholders {topic} (e.g. kytos.topology) and {napp} (kytos.topology). Default "{topic}". */
  readonly nappDestination?: string;
  /** The destination with every event; false to disable. Default "kytos.events". */
  readonly verboseDestination?: string | false;
  /** Compacted status destination per entity ({entity}: link, switch, interface); false to disable. Default "kytos.status.{entity}". */
  readonly statusDestination?: string | false;
  /** Partitions of the NApp and verbose destinations. Default 3. */
  readonly partitions?: number;
  /** Partitions of the status destinations. Default 3. */
  readonly statusPartitions?: number;
}

export type Fanout = TransportCapabilities["fanout"];

interface Route {
  readonly napp: string;
  readonly verbose: string | undefined;
  readonly status: string | undefined;
  readonly client: readonly string[];
  readonly broker: readonly string[];
}

export class Router {
  readonly config: Required<RoutingConfig>;
  private readonly routes = new Map<string, Route>();

  constructor(config: RoutingConfig = {}) {
    this.config = {
      nappDestination: config.nappDestination ?? "{topic}",
      verboseDestination: config.verboseDestination ?? "kytos.events",
      statusDestination: config.statusDestination ?? "kytos.status.{entity}",
      partitions: config.partitions ?? 3,
      statusPartitions: config.statusPartitions ?? 3,
    };
    const c = this.config;
    validateTemplate(c.nappDestination, ["topic", "napp"], "nappDestination");
    if (c.verboseDestination !== false) validateTemplate(c.verboseDestination, [], "verboseDestination");
    if (c.statusDestination !== false) validateTemplate(c.statusDestination, ["entity"], "statusDestination");
    for (const [key, value] of [
      ["partitions", c.partitions],
      ["statusPartitions", c.statusPartitions],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new KytosEventsError(
          ErrorCode.ConfigInvalid,
          `routing.${key} must be a positive integer, got ${value}.`,
        );
      }
    }
    // Render every registry entry now, so a template that yields a bad name fails at start-up.
    for (const d of eventDescriptors) this.routes.set(d.name, this.build(d));
  }

  /**
   * Destinations for an event. "client" fanout: every destination (one record each); "broker"
   * fanout: only the NApp destination — the broker's bindings copy it to the others.
   */
  route(name: string, fanout: Fanout): readonly string[] {
    let route = this.routes.get(name);
    if (!route) {
      const descriptor = findEventDescriptor(name);
      if (!descriptor) {
        throw new KytosEventsError(ErrorCode.UnknownEventName, `no route for unknown event "${name}".`);
      }
      route = this.build(descriptor);
      this.routes.set(name, route);
    }
    return fanout === "client" ? route.client : route.broker;
  }

  /** Every destination this routing can produce, for Transport.ensureDestinations. */
  destinationSpecs(): DestinationSpec[] {
    const specs = new Map<string, { partitions: number; compacted: boolean; prefixes: Set<string> }>();
    const add = (name: string, partitions: number, compacted: boolean, prefix: string) => {
      const spec = specs.get(name) ?? { partitions, compacted, prefixes: new Set<string>() };
      spec.prefixes.add(prefix);
      specs.set(name, spec);
    };
    for (const d of eventDescriptors) {
      const route = this.routes.get(d.name)!;
      // A family's template name ("kytos/core.shutdown.<napp_id>") is not a prefix of its
      // concrete names; its fixed part is. A family that starts with a placeholder
      // ("<username>/<napp>.loaded") has none: under broker fanout it reaches only the
      // verbose destination.
      const prefix = d.name.replace(/<.*$/, "");
      if (route.verbose) add(route.verbose, this.config.partitions, false, "");
      if (prefix === "") continue;
      add(route.napp, this.config.partitions, false, prefix);
      if (route.status) add(route.status, this.config.statusPartitions, true, prefix);
    }
    return [...specs].map(([name, s]) => ({
      name,
      partitions: s.partitions,
      compacted: s.compacted,
      eventPrefixes: s.prefixes.has("") ? [""] : collapse(s.prefixes),
    }));
  }

  private build(d: EventDescriptor): Route {
    const c = this.config;
    const napp = renderTemplate(
      c.nappDestination,
      { topic: d.topic, napp: d.napp.replaceAll("/", ".") },
      "nappDestination",
    );
    const verbose =
      c.verboseDestination === false
        ? undefined
        : renderTemplate(c.verboseDestination, {}, "verboseDestination");
    const status =
      c.statusDestination === false || !d.status
        ? undefined
        : renderTemplate(c.statusDestination, { entity: d.status.entity }, "statusDestination");
    const client = [napp, verbose, status].filter((x): x is string => x !== undefined);
    return { napp, verbose, status, client: [...new Set(client)], broker: [napp] };
  }
}

/** Sorted prefixes without those another prefix already covers (fewer broker bindings). */
function collapse(prefixes: ReadonlySet<string>): string[] {
  const sorted = [...prefixes].sort();
  return sorted.filter((p, i) => !sorted.some((q, j) => j !== i && q !== p && p.startsWith(q)));
}
