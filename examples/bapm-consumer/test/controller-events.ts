// A repeatable stream of the controller events BAPM records — links flapping, circuits created,
// deployed, redeployed around a down link (or failing to), removed — mixed with events of
// other NApps that BAPM does not read, and what the tables must say at the end.
import { evcContentJson, interfaceJson, linkJson } from "@kytos-events/schema/fixtures";

export interface ControllerEvent {
  readonly name: string;
  readonly content: Record<string, unknown>;
}

export interface ExpectedCircuit {
  state: string;
  deployments: number;
  redeployments: number;
  failures: number;
}

export interface Expected {
  /** Events BAPM records (mef_eline lifecycle and link up/down). */
  recorded: number;
  readonly circuits: Map<string, ExpectedCircuit>;
  readonly links: Map<string, { status: "up" | "down"; downs: number }>;
}

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

export function controllerEvents(o: { links: number; circuits: number; flaps: number; seed: number }) {
  const rnd = random(o.seed);
  const events: ControllerEvent[] = [];
  const expected: Expected = { recorded: 0, circuits: new Map(), links: new Map() };
  const link = (i: number, up: boolean) => {
    const id = `link-${i}`;
    const down = up ? {} : { active: false, status: "DOWN" };
    return linkJson({
      id,
      endpoint_a: interfaceJson(`00:00:00:00:00:00:00:0${i + 1}`, 1, { link: id }),
      endpoint_b: interfaceJson(`00:00:00:00:00:00:00:0${i + 2}`, 2, { link: id, ...down }),
      metadata: { link_name: `L${i}` },
      ...down,
    });
  };
  const evc = (n: number, active: boolean) =>
    evcContentJson({ evc_id: `evc-${n}`, id: `evc-${n}`, name: `vlan-${100 + n}`, active });
  const record = (name: string, content: Record<string, unknown>) => {
    events.push({ name, content });
    expected.recorded++;
  };
  const circuit = (n: number) => expected.circuits.get(`evc-${n}`)!;

  for (let i = 0; i < o.links; i++) {
    record("kytos/topology.link_up", { link: link(i, true), reason: "link up" });
    expected.links.set(`link-${i}`, { status: "up", downs: 0 });
    // Not for BAPM: goes to kytos.of_core, which it does not read.
    events.push({
      name: "kytos/of_core.switch.interface.created",
      content: { interface: interfaceJson("00:00:00:00:00:00:00:01", i + 1) },
    });
  }
  for (let n = 0; n < o.circuits; n++) {
    expected.circuits.set(`evc-${n}`, { state: "created", deployments: 0, redeployments: 0, failures: 0 });
    record("kytos/mef_eline.created", evc(n, false));
    record("kytos/mef_eline.deployed", evc(n, true));
    Object.assign(circuit(n), { state: "active", deployments: 1 });
  }
  for (let f = 0; f < o.flaps; f++) {
    const i = Math.floor(rnd() * o.links);
    const state = expected.links.get(`link-${i}`)!;
    const up = state.status === "down";
    record(up ? "kytos/topology.link_up" : "kytos/topology.link_down", {
      link: link(i, up),
      reason: up ? "link up" : "liveness down",
    });
    state.status = up ? "up" : "down";
    if (!up) state.downs++;
    for (let k = 0; k < 2; k++) {
      const n = Math.floor(rnd() * o.circuits);
      const c = circuit(n);
      if (up && c.state === "down") {
        record("kytos/mef_eline.redeployed_link_up", evc(n, true));
        Object.assign(c, { state: "active", redeployments: c.redeployments + 1 });
      } else if (!up && c.state === "active" && rnd() < 0.8) {
        record("kytos/mef_eline.redeployed_link_down", evc(n, true));
        c.redeployments++;
      } else if (!up && c.state === "active") {
        record("kytos/mef_eline.error_redeploy_link_down", evc(n, false));
        Object.assign(c, { state: "down", failures: c.failures + 1 });
      }
    }
  }
  for (let n = 0; n < o.circuits; n += 3) {
    record("kytos/mef_eline.deleted", evc(n, false));
    circuit(n).state = "removed";
  }
  return { events, expected };
}
