// The producer-side decision for one event — pass the filter? which destinations? — as an
// immutable snapshot that can be swapped at run time. A reload builds and validates the new
// snapshot completely before swapping, so a bad new config is rejected while the old one keeps
// working, and each event is decided by exactly one snapshot (never half of each): callers read
// `current` once per event and use that snapshot for both questions.
import { ErrorCode, KytosEventsError } from "@kytos-events/schema";
import { EventFilter, type EventFilterConfig } from "../filtering/event-filter.js";
import type { DestinationSpec } from "../transport/transport.js";
import { type Fanout, Router, type RoutingConfig } from "./router.js";

export interface PipelineConfig {
  readonly filter?: EventFilterConfig;
  readonly routing?: RoutingConfig;
}

/** One immutable configuration version: a filter and a router. */
export class Pipeline {
  readonly filter: EventFilter;
  readonly router: Router;

  /** @throws KytosEventsError KE_FILTER_PATTERN_INVALID or KE_CONFIG_INVALID naming what is wrong. */
  constructor(
    readonly config: PipelineConfig,
    /** 1 for the first config, +1 per successful reload. */
    readonly version: number,
  ) {
    this.filter = new EventFilter(config.filter);
    this.router = new Router(config.routing);
  }

  /**
   * Destinations for the event, or undefined when the filter stops it.
   * @throws KytosEventsError KE_UNKNOWN_EVENT_NAME when the filter lets through a name the schema does not know.
   */
  decide(name: string, fanout: Fanout): readonly string[] | undefined {
    return this.filter.accepts(name) ? this.router.route(name, fanout) : undefined;
  }

  destinationSpecs(): DestinationSpec[] {
    return this.router.destinationSpecs();
  }
}

export class ReloadablePipeline {
  private snapshot: Pipeline;

  /** @throws as Pipeline's constructor when the initial config is invalid. */
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

  /**
   * Like `reload`, with an asynchronous step between validation and the swap — typically
   * `next => transport.ensureDestinations(next.destinationSpecs())`, so no event is routed to
   * a destination that does not exist yet. If validation or `prepare` fails, or another
   * reload swapped first meanwhile, the current snapshot stays and the promise rejects.
   */
  async reloadWith(
    config: PipelineConfig,
    prepare: (next: Pipeline, previous: Pipeline) => Promise<void>,
  ): Promise<Pipeline> {
    const previous = this.snapshot;
    const next = new Pipeline(config, previous.version + 1);
    await prepare(next, previous);
    if (this.snapshot !== previous) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `reload to version ${next.version} lost a race: version ${this.snapshot.version} was ` +
          "installed while it was being prepared. Reload again from the latest configuration.",
      );
    }
    this.snapshot = next;
    return next;
  }
}
