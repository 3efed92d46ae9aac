// Controller link events for the monitor's tests: links between two OXP switches, optionally
// with a port facing another OXP (`sdx_nni`), as topology raises them.
import { createHash } from "node:crypto";
import { interfaceJson, linkJson } from "@kytos-events/schema/fixtures";

export interface TestLink {
  readonly name: string;
  readonly id: string;
  /** `sdx_nni` of endpoint B: the remote OXP port, for an inter-domain link. */
  readonly remotePort?: string;
}

export function testLink(name: string, remotePort?: string): TestLink {
  const id = createHash("sha256").update(name).digest("hex");
  return remotePort === undefined ? { name, id } : { name, id, remotePort };
}

/** The content of kytos/topology.link_up or link_down for `link`. */
export function linkContent(link: TestLink, up: boolean, reason = up ? "link up" : "liveness down") {
  const down = up ? {} : { active: false, status: "DOWN", status_reason: ["liveness"] };
  const metadata = link.remotePort ? { sdx_nni: link.remotePort } : {};
  return {
    link: linkJson({
      id: link.id,
      endpoint_a: interfaceJson("aa:00:00:00:00:00:00:01", 1, { link: link.id }),
      endpoint_b: interfaceJson("aa:00:00:00:00:00:00:02", 1, { link: link.id, metadata, ...down }),
      metadata: { link_name: link.name },
      ...down,
    }),
    reason,
  };
}
