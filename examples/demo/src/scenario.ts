// A day in the life of a small Kytos-ng network, as the controller's own event stream: the
// switches connect and their interfaces appear, the links of a ring come up, circuits (EVCs)
// are created and deployed over the shorter way round the ring, links flap (at most a few are
// down at once) and mef_eline redeploys the circuits they carried the other way round — or
// cannot, and the circuit goes down until a link returns — and finally some circuits are
// removed. Payloads are shaped like the controller's serialisers (the schema's fixture
// builders); link ids are computed the way kytos/core/id.py does. The scenario also keeps the
// truth: the state every link and circuit ends in, which the demo checks its consumers against.
import { createHash } from "node:crypto";
import type { EventName } from "@kytos-events/schema";
import { evcContentJson, interfaceJson, linkJson, switchJson } from "@kytos-events/schema/fixtures";

export interface ControllerEvent {
  readonly name: EventName;
  readonly content: Record<string, unknown>;
}

export interface ScenarioOptions {
  /** Switches on the ring (as many links). At least 3. */
  readonly switches: number;
  readonly evcs: number;
  /** Link state changes after the circuits are deployed. */
  readonly flaps: number;
  /** Seed for every random choice, so a run can be repeated. */
  readonly seed: number;
}

export type LinkState = "up" | "down";
export type CircuitState = "active" | "down" | "removed";

/** How the scenario ends: what a correct consumer must have seen. */
export interface ScenarioTruth {
  readonly links: ReadonlyMap<string, LinkState>;
  readonly circuits: ReadonlyMap<string, CircuitState>;
  readonly linkNames: ReadonlyMap<string, string>;
}

/** At most this many links are down at once, as in a real network on a bad day. */
const MAX_DOWN = 3;
const UNI_PORT = 3;

interface RingLink {
  readonly id: string;
  readonly name: string;
  /** Switch numbers (1-based) at each end: port 1 of `a` faces port 2 of `b`. */
  readonly a: number;
  readonly b: number;
}

interface Circuit {
  readonly id: string;
  readonly from: number;
  readonly to: number;
  readonly vlan: number;
  /** Ring link indexes of the current path; empty while the circuit is down. */
  path: number[];
  state: CircuitState;
}

export const dpidOf = (n: number): string =>
  `00:00:00:00:00:00:${(n >> 8).toString(16).padStart(2, "0")}:${(n & 0xff).toString(16).padStart(2, "0")}`;

/** The controller's link id: SHA-256 of the two interface ids, sorted and joined with ":". */
export function linkIdOf(interfaceA: string, interfaceB: string): string {
  return createHash("sha256").update([interfaceA, interfaceB].sort().join(":")).digest("hex");
}

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

export class Scenario {
  readonly options: ScenarioOptions;
  private readonly ring: RingLink[] = [];
  private readonly down = new Set<number>();
  private readonly circuits: Circuit[] = [];

  constructor(options: ScenarioOptions) {
    if (!(options.switches >= 3)) throw new RangeError("the scenario needs at least 3 switches.");
    this.options = options;
    for (let i = 0; i < options.switches; i++) {
      const a = i + 1;
      const b = (i + 1) % options.switches || options.switches;
      const id = linkIdOf(`${dpidOf(a)}:1`, `${dpidOf(b)}:2`);
      this.ring.push({ id, name: `ring-${a}-${b}`, a, b });
    }
  }

  /** The controller events of the scenario, in the order the controller raises them. */
  *events(): Generator<ControllerEvent> {
    const rnd = random(this.options.seed);
    for (let s = 1; s <= this.options.switches; s++) yield* this.switchComesUp(s);
    for (let i = 0; i < this.ring.length; i++) yield this.linkEvent(i, "up");
    for (let n = 0; n < this.options.evcs; n++) yield* this.createCircuit(n, rnd);
    for (let f = 0; f < this.options.flaps; f++) {
      const i = Math.floor(rnd() * this.ring.length);
      if (this.down.has(i)) yield* this.linkUp(i);
      else if (this.down.size < MAX_DOWN) yield* this.linkDown(i);
      else yield* this.linkUp([...this.down][Math.floor(rnd() * this.down.size)]!);
    }
    for (const circuit of this.circuits) {
      if (rnd() < 0.5) continue;
      circuit.state = "removed";
      circuit.path = [];
      yield {
        name: "kytos/mef_eline.deleted",
        content: this.evc(circuit, { active: false, enabled: false }),
      };
    }
  }

  /** The final state of every link and circuit; complete once events() has been run through. */
  truth(): ScenarioTruth {
    return {
      links: new Map(this.ring.map((l, i) => [l.id, this.down.has(i) ? "down" : "up"])),
      circuits: new Map(this.circuits.map((c) => [c.id, c.state])),
      linkNames: new Map(this.ring.map((l) => [l.id, l.name])),
    };
  }

  private *switchComesUp(s: number): Generator<ControllerEvent> {
    const dpid = dpidOf(s);
    yield { name: "kytos/core.switch.new", content: { switch: switchJson(dpid, { interfaces: {} }) } };
    for (let port = 1; port <= UNI_PORT; port++) {
      yield {
        name: "kytos/of_core.switch.interface.created",
        content: { interface: this.interface(s, port) },
      };
      yield {
        name: "kytos/topology.switch.interface.created",
        content: { interface: this.interface(s, port) },
      };
    }
    yield { name: "kytos/topology.switch.enabled", content: { dpid } };
  }

  private *createCircuit(n: number, rnd: () => number): Generator<ControllerEvent> {
    const switches = this.options.switches;
    const from = 1 + Math.floor(rnd() * switches);
    const hops = 1 + Math.floor(rnd() * Math.min(4, switches - 1));
    const to = ((from - 1 + hops) % switches) + 1;
    const id = `evc-${n.toString(16).padStart(4, "0")}`;
    const circuit: Circuit = { id, from, to, vlan: 300 + n, path: [], state: "down" };
    this.circuits.push(circuit);
    yield { name: "kytos/mef_eline.created", content: this.evc(circuit, { active: false }) };
    circuit.path = this.pathFor(circuit) ?? [];
    circuit.state = circuit.path.length > 0 ? "active" : "down";
    yield { name: "kytos/mef_eline.deployed", content: this.evc(circuit) };
  }

  private *linkDown(i: number): Generator<ControllerEvent> {
    this.down.add(i);
    yield this.linkEvent(i, "down");
    for (const circuit of this.circuits) {
      if (circuit.state !== "active" || !circuit.path.includes(i)) continue;
      const path = this.pathFor(circuit);
      if (path) {
        circuit.path = path;
        yield { name: "kytos/mef_eline.redeployed_link_down", content: this.evc(circuit) };
      } else {
        circuit.path = [];
        circuit.state = "down";
        yield {
          name: "kytos/mef_eline.error_redeploy_link_down",
          content: this.evc(circuit, { active: false }),
        };
      }
    }
  }

  private *linkUp(i: number): Generator<ControllerEvent> {
    this.down.delete(i);
    yield this.linkEvent(i, "up");
    for (const circuit of this.circuits) {
      if (circuit.state !== "down") continue;
      const path = this.pathFor(circuit);
      if (!path) continue;
      circuit.path = path;
      circuit.state = "active";
      yield { name: "kytos/mef_eline.redeployed_link_up", content: this.evc(circuit) };
    }
  }

  /** The shorter way round the ring whose links are all up, else the longer one, else none. */
  private pathFor(circuit: Circuit): number[] | undefined {
    const n = this.options.switches;
    const clockwise: number[] = [];
    for (let s = circuit.from; s !== circuit.to; s = (s % n) + 1) clockwise.push(s - 1);
    const counter = this.ring.map((_, i) => i).filter((i) => !clockwise.includes(i));
    const ways = clockwise.length <= counter.length ? [clockwise, counter] : [counter, clockwise];
    return ways.find((way) => way.every((i) => !this.down.has(i)));
  }

  private linkEvent(i: number, state: LinkState): ControllerEvent {
    const link = this.ring[i]!;
    const down = state === "down" ? { active: false, status: "DOWN", status_reason: ["liveness"] } : {};
    const content = linkJson({
      id: link.id,
      endpoint_a: this.interface(link.a, 1, { link: link.id }),
      endpoint_b: this.interface(link.b, 2, { link: link.id, ...down }),
      metadata: { link_name: link.name },
      ...down,
    });
    return state === "up"
      ? { name: "kytos/topology.link_up", content: { link: content, reason: "link up" } }
      : { name: "kytos/topology.link_down", content: { link: content, reason: "liveness down" } };
  }

  private interface(s: number, port: number, overrides: Record<string, unknown> = {}) {
    return interfaceJson(dpidOf(s), port, {
      name: `s${s}-eth${port}`,
      nni: port !== UNI_PORT,
      uni: port === UNI_PORT,
      link: "",
      ...overrides,
    });
  }

  private evc(circuit: Circuit, overrides: Record<string, unknown> = {}) {
    const vlan = circuit.vlan;
    return evcContentJson({
      evc_id: circuit.id,
      id: circuit.id,
      name: `sdx-vlan-${vlan}`,
      metadata: { sdx_name: `l2vpn-${vlan}` },
      active: circuit.state === "active",
      uni_a: { interface_id: `${dpidOf(circuit.from)}:${UNI_PORT}`, tag: { tag_type: "vlan", value: vlan } },
      uni_z: { interface_id: `${dpidOf(circuit.to)}:${UNI_PORT}`, tag: { tag_type: "vlan", value: vlan } },
      ...overrides,
    });
  }
}
