// The consuming application of the demo: what an operations dashboard would keep from the
// stream — every link's state, every circuit's state, how often circuits were redeployed —
// plus the checks that make the demo's summary true: each event handled exactly once (the
// idempotency store's promise), and per key in the order the controller raised the events
// (the consumer's key-ordered concurrency).
import type { KytosEventOf } from "@kytos-events/consumer";
import type { EventName } from "@kytos-events/schema";
import type { CircuitState, LinkState } from "./scenario.js";

export class NetworkView {
  readonly links = new Map<string, LinkState>();
  readonly circuits = new Map<string, CircuitState>();
  readonly byType = new Map<string, number>();
  redeployments = 0;
  /** performance.now() when the last new event was handled. */
  lastHandledAt = 0;
  /** Handler runs for an event id that had already been handled (the store should prevent them). */
  handledTwice = 0;
  /** Events that arrived after a later event of their key (the scheduler should prevent them). */
  orderViolations = 0;
  private readonly handled = new Set<string>();
  private readonly lastSequence = new Map<string, bigint>();

  /** Distinct events handled. */
  get distinct(): number {
    return this.handled.size;
  }

  has(id: string): boolean {
    return this.handled.has(id);
  }

  apply(event: KytosEventOf<EventName>): void {
    if (this.handled.has(event.id)) this.handledTwice++;
    else this.lastHandledAt = performance.now();
    this.handled.add(event.id);
    this.byType.set(event.name, (this.byType.get(event.name) ?? 0) + 1);
    this.checkOrder(event);
    switch (event.name) {
      case "kytos/topology.link_up":
        this.links.set(event.key, "up");
        break;
      case "kytos/topology.link_down":
        this.links.set(event.key, "down");
        break;
      case "kytos/mef_eline.deleted":
        this.circuits.set(event.key, "removed");
        break;
      case "kytos/mef_eline.redeployed_link_down":
      case "kytos/mef_eline.redeployed_link_up":
        this.redeployments++;
        this.circuits.set(event.key, event.payload.evc?.active ? "active" : "down");
        break;
      case "kytos/mef_eline.created":
      case "kytos/mef_eline.deployed":
      case "kytos/mef_eline.error_redeploy_link_down":
        this.circuits.set(event.key, event.payload.evc?.active ? "active" : "down");
        break;
      default:
        break;
    }
  }

  private checkOrder(event: KytosEventOf<EventName>): void {
    if (event.key === "") return;
    const key = `${event.source}\u0000${event.key}`;
    const last = this.lastSequence.get(key);
    if (last !== undefined && event.sequence < last) this.orderViolations++;
    else this.lastSequence.set(key, event.sequence);
  }
}
