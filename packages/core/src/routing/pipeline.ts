// The producer-side decision for one event — pass the filter? which destinations? — as an
// immutable snapshot that can be swapped at run time. A reload builds and validates the new
// snapshot completely before swapping, so a bad new config is rejected while the old one keeps
// working, and each event is decided by exactly one snapshot (never half of each).
import { EventFilter, type EventFilterConfig } from "../filtering/event-filter.js";
import type { DestinationSpec } from "../transport/transport.js";
import { type Fanout, Router, type RoutingConfig } from "./router.js";

export interface PipelineConfig {
  readonly filter?: EventFilterConfig;
  readonly routing?: RoutingConfig;
}

export class Pipeline {
  readonly filter: EventFilter;
  readonly router: Router;

  constructor(
    readonly config: PipelineConfig,
    readonly version: number,
  ) {
    this.filter = new EventFilter(config.filter);
    this.router = new Router(config.routing);
  }

  /** Destinations for the event, or undefined when the filter stops it. */
  decide(name: string, fanout: Fanout): readonly string[] | undefined {
    return this.filter.accepts(name) ? this.router.route(name, fanout) : undefined;
  }

  destinationSpecs(): DestinationSpec[] {
    return this.router.destinationSpecs();
  }
}

export class ReloadablePipeline {
  private snapshot: Pipeline;

  constructor(config: PipelineConfig = {}) {
    this.snapshot = new Pipeline(config, 1);
  }

  /** The snapshot to decide the next event with; read it once per event. */
  get current(): Pipeline {
    return this.snapshot;
  }

  /** Validates and swaps in a new config; throws (and keeps the old one) when it is invalid. */
  reload(config: PipelineConfig): Pipeline {
    const next = new Pipeline(config, this.snapshot.version + 1);
    this.snapshot = next;
    return next;
  }
}
