// How the monitor writes: one line per link at start (the state it bootstrapped from the
// compacted destination), then one line per transition — readable text, or JSON lines for
// another program (an SDX-LC topology updater).
import type { LinkTransition } from "./link-monitor.js";
import type { SdxLink } from "./sdx-link.js";

const pad = (text: string, width: number) => text.padEnd(width);

function describe(link: SdxLink): string {
  const where = link.interDomain ? `inter-domain → ${link.remotePorts.join(", ")}` : "intra-domain";
  return `${pad(link.name, 24)} ${pad(link.status.toUpperCase(), 4)} ${link.state}  ${link.urn}  (${where})`;
}

function json(link: SdxLink) {
  return {
    id: link.id,
    name: link.name,
    urn: link.urn,
    status: link.status,
    state: link.state,
    interDomain: link.interDomain,
    remotePorts: link.remotePorts,
    event: link.event,
    reason: link.reason,
    since: link.since?.toISOString(),
  };
}

export function snapshotLines(links: readonly SdxLink[], asJson: boolean): string[] {
  if (asJson) return links.map((link) => JSON.stringify({ type: "link", ...json(link) }));
  const down = links.filter((l) => l.status === "down").length;
  const inter = links.filter((l) => l.interDomain).length;
  return [
    `ready: ${links.length} links (${links.length - down} up, ${down} down), ${inter} inter-domain`,
    ...links.map((link) => `  ${describe(link)}`),
  ];
}

export function transitionLine(t: LinkTransition, asJson: boolean): string {
  if (asJson) {
    return JSON.stringify({ type: "transition", transition: t.kind, changes: t.changes, ...json(t.link) });
  }
  const at = (t.link.since ?? new Date()).toISOString();
  const why = [t.link.reason, t.changes > 1 ? `${t.changes} changes since the last report` : ""]
    .filter((s) => s !== "")
    .join("; ");
  return `${at} ${pad(t.kind.toUpperCase(), 7)} ${describe(t.link)}${why ? ` — ${why}` : ""}`;
}
