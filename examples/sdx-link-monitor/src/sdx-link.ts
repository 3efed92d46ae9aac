// A Kytos-ng link as an SDX Local Controller reports it: an SDX URN, an operational status
// (up/down) and an administrative state (enabled/disabled), taken from the link object in the
// latest status event of the link. A link is inter-domain when the link or one of its ports
// carries the inter-domain metadata key — by default `sdx_nni`, the kytos-sdx convention for
// a port that faces another OXP (its value names the remote OXP port).
import type { StatusEntry } from "@kytos-events/consumer";
import { EntityStatus, type Envelope, type Link } from "@kytos-events/schema";

export interface SdxLink {
  /** The controller's link id (SHA-256 of its two interface ids). */
  readonly id: string;
  /** `metadata.link_name`, else the link id. */
  readonly name: string;
  /** `urn:sdx:link:<oxp>:<name>`. */
  readonly urn: string;
  readonly status: "up" | "down";
  readonly state: "enabled" | "disabled";
  /** False once the controller deleted the link. */
  readonly exists: boolean;
  readonly interDomain: boolean;
  /** The inter-domain key's string values (for `sdx_nni`: the remote OXP ports it leads to). */
  readonly remotePorts: readonly string[];
  /** The event that set this state, its reason (link_up/link_down) and when it happened. */
  readonly event: string;
  readonly reason: string;
  readonly since: Date | undefined;
}

/** The link object and reason carried by a link status event. */
function linkOf(envelope: Envelope): { link: Link | undefined; reason: string } {
  const p = envelope.payload;
  switch (p.case) {
    case "topologyLinkUp":
    case "topologyLinkDown":
      return { link: p.value.link, reason: p.value.reason };
    case "topologyLinkEnabled":
    case "topologyLinkDisabled":
    case "topologyLinkDeleted":
      return { link: p.value.link, reason: "" };
    default:
      return { link: undefined, reason: "" };
  }
}

export interface SdxNaming {
  /** The OXP's name in URNs, e.g. "amlight.net". */
  readonly oxp: string;
  /** Metadata key (on the link or a port) that makes a link inter-domain. Default "sdx_nni". */
  readonly interDomainKey?: string;
}

/** Where the key is set: its values (strings as they are, other values as JSON). */
function interDomainMarks(link: Link | undefined, key: string): string[] {
  const marks: string[] = [];
  for (const metadata of [link?.metadata, link?.endpointA?.metadata, link?.endpointB?.metadata]) {
    const value = metadata?.[key];
    if (value === undefined || value === null || value === false || value === "") continue;
    marks.push(typeof value === "string" ? value : JSON.stringify(value));
  }
  return marks;
}

export function toSdxLink(entry: StatusEntry, naming: SdxNaming): SdxLink {
  const { oxp } = naming;
  const { link, reason } = linkOf(entry.envelope);
  const linkName = link?.metadata?.link_name;
  const name = typeof linkName === "string" && linkName !== "" ? linkName : entry.id;
  // The link object's own status; the event's meaning when the controller left it unset.
  const status = link?.status ?? EntityStatus.UNSPECIFIED;
  const up = status === EntityStatus.UNSPECIFIED ? entry.state === "up" : status === EntityStatus.UP;
  const remotePorts = interDomainMarks(link, naming.interDomainKey ?? "sdx_nni");
  return {
    id: entry.id,
    name,
    urn: `urn:sdx:link:${oxp}:${name}`,
    status: up && entry.state !== "deleted" ? "up" : "down",
    state: link?.enabled === false || entry.state === "disabled" ? "disabled" : "enabled",
    exists: entry.state !== "deleted",
    interDomain: remotePorts.length > 0,
    remotePorts,
    event: entry.event,
    reason,
    since: entry.occurredAt,
  };
}
