import { describe, expect, it } from "vitest";
import { KeyedScheduler } from "./keyed-scheduler.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("KeyedScheduler", () => {
  it("runs one task per key at a time, in order, and different keys side by side up to the limit", async () => {
    const s = new KeyedScheduler(3);
    const log: string[] = [];
    let active = 0;
    let peak = 0;
    const task = (name: string) => async () => {
      peak = Math.max(peak, ++active);
      await tick();
      log.push(name);
      active--;
    };
    for (let i = 0; i < 5; i++) for (const key of ["a", "b", "c", "d"]) s.submit(key, task(`${key}${i}`));
    s.submit(undefined, task("loose"));
    await s.idle();
    while (s.active > 0 || s.waiting > 0) await s.idle();
    for (const key of ["a", "b", "c", "d"]) {
      expect(log.filter((n) => n.startsWith(key))).toEqual([0, 1, 2, 3, 4].map((i) => `${key}${i}`));
    }
    expect(log).toContain("loose");
    expect(peak).toBe(3);
  });

  it("after stop, lets running tasks finish and starts none of the waiting ones", async () => {
    const s = new KeyedScheduler(1);
    const ran: string[] = [];
    s.submit("a", async () => {
      await tick();
      ran.push("a1");
    });
    s.submit("a", async () => {
      ran.push("a2");
    });
    s.submit("b", async () => {
      ran.push("b1");
    });
    expect(s.waiting).toBe(2);
    s.stop();
    s.submit("c", async () => {
      ran.push("c1");
    });
    await s.idle();
    await tick();
    expect(ran).toEqual(["a1"]);
    expect(s.waiting).toBe(0);
  });

  it("keeps a key going after a task throws", async () => {
    const s = new KeyedScheduler(2);
    const ran: string[] = [];
    s.submit("a", () => Promise.reject(new Error("x")));
    s.submit("a", async () => {
      ran.push("a2");
    });
    await s.idle();
    await tick();
    expect(ran).toEqual(["a2"]);
  });
});
