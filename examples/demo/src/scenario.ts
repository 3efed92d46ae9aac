// A day in the life of a small Kytos-ng network, as the controller's own event stream: the
// topology comes up (switches, interfaces, links), circuits (EVCs) are created and deployed,
// links flap and circuits are redeployed around them, and finally circuits are removed. Every
// payload is shaped like the controller's serialisers (the schema's fixture builders).
import type { EventName } from "@kytos-events/schema";
import { evcContentJson, interfaceJson, linkJson, switchJson } from "@kytos-events/schema/fixtures";

export interface ControllerEvent {
  readonly name: EventName;
  readonly content: Record<string, unknown>;
}

export interface ScenarioOptions {
  readonly switches: number;
  readonly evcs: number;
  readonly flaps: number;
  /** Seed for the flap sequence, so a run can be repeated. */
  readonly seed: number;
}

const dpidOf = (n: number) =>
  `00:00:00:00:00:00:${(n >> 8).toString(16).padStart(2, "0")}:${(n & 0xff).toString(16).padStart(2, "0")}`;
const linkIdOf = (n: number) => `link-${n.toString(16).padStart(6, "0")}`;

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function link(i: number, switches: number, up: boolean) {
  const a = dpidOf(i + 1);
  const b = dpidOf(((i + 1) % switches) + 1);
  const id = linkIdOf(i);
  const status = up ? {} : { active: false, status: "DOWN", status_reason: ["liveness"] };
  return linkJson({
    id,
    endpoint_a: interfaceJson(a, 1, { link: id }),
    endpoint_b: interfaceJson(b, 1, { link: id, ...status }),
    metadata: { link_name: `ring-${i}` },
    ...status,
  });
}

/** The controller events of the scenario, in the order the controller would raise them. */
export function* scenario(o: ScenarioOptions): Generator<ControllerEvent> {
  const rnd = random(o.seed);
  for (let s = 1; s <= o.switches; s++) {
    const dpid = dpidOf(s);
    yield { name: "kytos/topology.switch.enabled", content: { dpid } };
    yield { name: "kytos/of_core.switch.interface.created", content: { interface: interfaceJson(dpid, 1) } };
    yield { name: "kytos/of_core.switch.interface.created", content: { interface: interfaceJson(dpid, 2) } };
    yield { name: "kytos/topology.switch.interface.created", content: { interface: interfaceJson(dpid, 1) } };
    void switchJson;
  }
  const links = o.switches;
  for (let i = 0; i < links; i++)
    yield { name: "kytos/topology.link_up", content: { link: link(i, o.switches, true), reason: "link up" } };
  const evc = (n: number, extra: Record<string, unknown> = {}) =>
    evcContentJson({ evc_id: `evc-${n}`, id: `evc-${n}`, name: `sdx-vlan-${300 + n}`, ...extra });
  for (let n = 0; n < o.evcs; n++) {
    yield { name: "kytos/mef_eline.created", content: evc(n) };
    yield { name: "kytos/mef_eline.deployed", content: evc(n) };
  }
  const down = new Set<number>();
  for (let f = 0; f < o.flaps; f++) {
    const i = Math.floor(rnd() * links);
    if (down.has(i)) {
      down.delete(i);
      yield {
        name: "kytos/topology.link_up",
        content: { link: link(i, o.switches, true), reason: "link up" },
      };
    } else {
      down.add(i);
      yield {
        name: "kytos/topology.link_down",
        content: { link: link(i, o.switches, false), reason: "liveness down" },
      };
      const affected = Math.floor(rnd() * o.evcs);
      yield { name: "kytos/mef_eline.redeployed_link_down", content: evc(affected) };
    }
  }
  for (let n = 0; n < o.evcs; n++)
    yield { name: "kytos/mef_eline.deleted", content: evc(n, { active: false, enabled: false }) };
}
