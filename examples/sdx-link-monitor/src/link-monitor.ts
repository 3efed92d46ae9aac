// The monitor: a LinkStatusTable over the compacted link-status destination, read from its
// beginning (so a start needs no history: the destination holds the latest event of every
// link), turned into SDX links, and a transition reported whenever a link's SDX status changes
// after the table is ready. Several changes of one link that arrive together (a flapping link,
// or a monitor catching up) are reported once, with the final state and how many there were.
import { LinkStatusTable, type StatusChange, type StatusTableConfig } from "@kytos-events/consumer";
import { type DestinationSpec, MetricName, type Metrics, noopMetrics, Router } from "@kytos-events/core";
import { type SdxLink, type SdxNaming, toSdxLink } from "./sdx-link.js";

export type TransitionKind = "down" | "up" | "added" | "removed";

export interface LinkTransition {
  readonly kind: TransitionKind;
  readonly link: SdxLink;
  /** The link before the change; undefined for a link first seen after start. */
  readonly previous: SdxLink | undefined;
  /** Status events of this link applied since the last report (more than 1: it flapped meanwhile). */
  readonly changes: number;
}

export interface LinkMonitorConfig extends SdxNaming {
  readonly table: StatusTableConfig;
  /** Watch only inter-domain links. Default false: every link of the OXP. */
  readonly interDomainOnly?: boolean;
  readonly onTransition: (transition: LinkTransition) => void;
  /** Where the time to handle each link change after start goes (`handler.duration_ms`, by event). Default: nowhere. */
  readonly metrics?: Metrics;
}

export class LinkMonitor {
  private readonly table: LinkStatusTable;
  private ready = false;

  constructor(private readonly config: LinkMonitorConfig) {
    this.table = new LinkStatusTable(config.table);
    this.table.on("change", (change) => this.changed(change));
  }

  /** Starts reading; resolves with every watched link once the table holds the destination's state. */
  async start(): Promise<SdxLink[]> {
    // RabbitMQ must know which events feed the destination before a subscription can bind to
    // it; Kafka creates the topic (compacted) when the monitor starts before the producer.
    await this.config.table.transport.ensureDestinations([linkStatusSpec(this.table.destination)]);
    await this.table.start();
    await this.table.ready();
    this.ready = true;
    return this.links();
  }

  /** The watched links as they are now, by name. */
  links(): SdxLink[] {
    return [...this.table]
      .map((entry) => toSdxLink(entry, this.config))
      .filter((link) => link.exists && this.watches(link))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async stop(): Promise<void> {
    await this.table.stop();
  }

  private watches(link: SdxLink): boolean {
    return !this.config.interDomainOnly || link.interDomain;
  }

  private changed(change: StatusChange): void {
    if (!this.ready) return;
    const started = performance.now();
    try {
      this.handle(change);
    } finally {
      (this.config.metrics ?? noopMetrics).observe(MetricName.HandlerDuration, performance.now() - started, {
        event: change.current.event,
      });
    }
  }

  private handle(change: StatusChange): void {
    const link = toSdxLink(change.current, this.config);
    const previous = change.previous ? toSdxLink(change.previous, this.config) : undefined;
    if (!this.watches(link) && !(previous && this.watches(previous))) return;
    const kind = transitionOf(previous, link);
    if (kind) this.config.onTransition({ kind, link, previous, changes: change.coalesced });
  }
}

/** The default routing's link-status destination, under the name this monitor reads. */
function linkStatusSpec(name: string): DestinationSpec {
  const router = new Router();
  const linkStatus = (router.config.statusDestination as string).replace("{entity}", "link");
  const spec = router.destinationSpecs().find((s) => s.name === linkStatus)!;
  return { ...spec, name };
}

function transitionOf(previous: SdxLink | undefined, link: SdxLink): TransitionKind | undefined {
  if (!link.exists) return previous?.exists ? "removed" : undefined;
  if (!previous?.exists) return "added";
  return previous.status === link.status ? undefined : link.status;
}
