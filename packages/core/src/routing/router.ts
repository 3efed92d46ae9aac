// Which destinations an event goes to: its NApp's destination (one queue/topic per NApp, the
// blueprint's layout), the verbose destination that carries everything, and — for status
// events — a compacted per-entity status destination keyed by link/switch/interface id, from
// which a consumer reads "the latest state of every link" without replaying history. Every
// name is rendered and checked at construction, so a bad template fails at start-up.
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
  /**
   * Per-NApp destination. Placeholders: {topic} (the schema's NApp topic, "kytos.topology"),
   * {username} ("kytos"), {napp} ("topology"), {role} (the schema's event role,
   * "link_status"). Default "{topic}". (No per-event-name placeholder: "kytos/core.shutdown"
   * is a prefix of "kytos/core.shutdown.<napp_id>", so broker-side prefix bindings could not
   * keep those two apart.)
   */
  readonly nappDestination?: string;
  /** The destination with every event (no placeholders); false to disable. Default "kytos.events". */
  readonly verboseDestination?: string | false;
  /**
   * Compacted status destination per entity, placeholder {entity} (link, switch, interface);
   * false to disable. Default "kytos.status.{entity}".
   */
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

const NAPP_PLACEHOLDERS = ["topic", "username", "napp", "role"] as const;
// Routes of concrete family names ("kytos/core.shutdown.kytos/topology") are cached up to this
// many; beyond it they are computed per call, so odd names cannot grow memory without bound.
const FAMILY_CACHE_LIMIT = 1024;

export class Router {
  readonly config: Required<RoutingConfig>;
  private readonly routes = new Map<string, Route>();
  private familyRoutes = 0;
  private readonly specs: readonly DestinationSpec[];

  /** @throws KytosEventsError KE_CONFIG_INVALID naming the setting, the template and what is wrong. */
  constructor(config: RoutingConfig = {}) {
    this.config = resolve(config);
    for (const d of eventDescriptors) this.routes.set(d.name, this.build(d));
    this.specs = this.collectSpecs();
  }

  /**
   * Destinations for an event. "client" fanout: every destination (one record each); "broker"
   * fanout: only the NApp destination — the broker's bindings copy it to the others.
   * @throws KytosEventsError KE_UNKNOWN_EVENT_NAME for a name the schema does not know.
   */
  route(name: string, fanout: Fanout): readonly string[] {
    const route = this.routes.get(name) ?? this.routeFamily(name);
    return fanout === "client" ? route.client : route.broker;
  }

  /**
   * Every destination this routing can produce, for Transport.ensureDestinations: partitions,
   * compaction, and the event-name prefixes a broker-fanout transport binds. Each prefix is
   * an exact event name, a family's fixed part ending in ".", or "" (everything), so matching
   * prefixes by characters or by "."-separated words gives the same result.
   */
  destinationSpecs(): DestinationSpec[] {
    return [...this.specs];
  }

  private routeFamily(name: string): Route {
    const descriptor = findEventDescriptor(name);
    if (!descriptor) {
      throw new KytosEventsError(
        ErrorCode.UnknownEventName,
        `no route for unknown event "${name}": the schema's event registry does not know it ` +
          "(update @kytos-events/schema, or deny it in the filter).",
      );
    }
    const route = this.routes.get(descriptor.name)!;
    if (this.familyRoutes < FAMILY_CACHE_LIMIT) {
      this.routes.set(name, route);
      this.familyRoutes++;
    }
    return route;
  }

  private build(d: EventDescriptor): Route {
    const c = this.config;
    const [username = "", nappName = ""] = d.napp.split("/");
    const napp = renderTemplate(
      c.nappDestination,
      { topic: d.topic, username, napp: nappName, role: d.role },
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

  private collectSpecs(): DestinationSpec[] {
    const specs = new Map<string, { partitions: number; compacted: boolean; prefixes: Set<string> }>();
    const add = (name: string, partitions: number, compacted: boolean, prefix: string) => {
      const spec = specs.get(name);
      if (spec && spec.compacted !== compacted) {
        throw new KytosEventsError(
          ErrorCode.ConfigInvalid,
          `routing: destination "${name}" would be both a compacted status destination and an ` +
            "uncompacted NApp or verbose one; give routing.statusDestination a name of its own.",
        );
      }
      if (spec) spec.prefixes.add(prefix);
      else specs.set(name, { partitions, compacted, prefixes: new Set([prefix]) });
    };
    const { partitions, statusPartitions } = this.config;
    for (const d of eventDescriptors) {
      const route = this.routes.get(d.name)!;
      // A family's template name ("kytos/core.shutdown.<napp_id>") is not a prefix of its
      // concrete names; its fixed part is. A family that starts with a placeholder
      // ("<username>/<napp>.loaded") has none: under broker fanout it reaches only the
      // verbose destination.
      const prefix = d.name.replace(/<.*$/, "");
      if (route.verbose) add(route.verbose, partitions, false, "");
      if (prefix === "") continue;
      add(route.napp, partitions, false, prefix);
      if (route.status) add(route.status, statusPartitions, true, prefix);
    }
    return [...specs].map(([name, s]) => ({
      name,
      partitions: s.partitions,
      compacted: s.compacted,
      eventPrefixes: s.prefixes.has("") ? [""] : collapse(s.prefixes),
    }));
  }
}

function resolve(config: RoutingConfig): Required<RoutingConfig> {
  const c = {
    nappDestination: config.nappDestination ?? "{topic}",
    verboseDestination: config.verboseDestination ?? "kytos.events",
    statusDestination: config.statusDestination ?? "kytos.status.{entity}",
    partitions: config.partitions ?? 3,
    statusPartitions: config.statusPartitions ?? 3,
  };
  validateTemplate(c.nappDestination, NAPP_PLACEHOLDERS, "nappDestination");
  if (c.verboseDestination !== false) validateTemplate(c.verboseDestination, [], "verboseDestination");
  if (c.statusDestination !== false) validateTemplate(c.statusDestination, ["entity"], "statusDestination");
  for (const key of ["partitions", "statusPartitions"] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `routing.${key} must be a positive integer, got ${c[key]}.`,
      );
    }
  }
  return c;
}

/**
 * Sorted prefixes without those another one already covers (fewer broker bindings). A prefix
 * covers another only at a word boundary: "kytos/core.shutdown" covers "kytos/core.shutdown."
 * but "kytos/topology.link" would not cover "kytos/topology.link_up".
 */
function collapse(prefixes: ReadonlySet<string>): string[] {
  const sorted = [...prefixes].sort();
  return sorted.filter((p) => !sorted.some((q) => q !== p && covers(q, p)));
}

function covers(q: string, p: string): boolean {
  if (!p.startsWith(q)) return false;
  const next = p[q.length];
  return q.endsWith(".") || q.endsWith("/") || next === "." || next === "/";
}
