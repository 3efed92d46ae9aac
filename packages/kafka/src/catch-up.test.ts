import { describe, expect, it } from "vitest";
import { CatchUp } from "./catch-up.js";

const settled = async (p: Promise<void>) => {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await new Promise((r) => setImmediate(r));
  return done;
};

describe("CatchUp", () => {
  it("is done at once when every partition's position is at its log end (empty or fully read)", async () => {
    const c = new CatchUp(
      new Map([
        ["t/0", 0],
        ["t/1", 7],
      ]),
      (lane) => (lane === "t/0" ? 0 : 7),
    );
    expect(await settled(c.done)).toBe(true);
    expect(c.cancelled).toBe(false);
  });

  it("waits until every lane delivered up to the end it had when asked", async () => {
    const c = new CatchUp(
      new Map([
        ["t/0", 10],
        ["t/1", 5],
      ]),
      () => 0,
    );
    c.advance("t/0", 10);
    c.advance("t/1", 4);
    expect(await settled(c.done)).toBe(false);
    expect(c.behind).toBe(1);
    c.advance("t/1", 5);
    expect(await settled(c.done)).toBe(true);
  });

  it("stops counting a lane that moved to another member", async () => {
    const c = new CatchUp(new Map([["t/0", 3]]), () => 0);
    c.revoke("t/0");
    expect(await settled(c.done)).toBe(true);
    expect(c.cancelled).toBe(false);
  });

  it("marks a wait ended by cancel() as cancelled, but not one already caught up", async () => {
    const behind = new CatchUp(new Map([["t/0", 3]]), () => 0);
    behind.cancel();
    expect(await settled(behind.done)).toBe(true);
    expect(behind.cancelled).toBe(true);
    const caughtUp = new CatchUp(new Map([["t/0", 3]]), () => 3);
    caughtUp.cancel();
    expect(caughtUp.cancelled).toBe(false);
  });
});
