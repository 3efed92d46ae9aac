import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KytosEventsError } from "@kytos-events/core";
import { describe, expect, it } from "vitest";
import { eventSize, type PublishedEvent } from "../published-event.js";
import { encodeFrame, scanFrames } from "./frame.js";
import { Spool } from "./spool.js";

const tempDir = () => mkdtempSync(join(tmpdir(), "kytos-spool-"));

function event(n: number, bytes = 100): PublishedEvent {
  const value = new Uint8Array(bytes).fill(n % 256);
  return {
    id: `id-${n}`,
    sequence: BigInt(n),
    type: "kytos/topology.link_down",
    key: `key-${n % 7}`,
    value,
    headers: { "ke-event-id": `id-${n}`, "content-type": "application/x-protobuf" },
    size: eventSize(value, `key-${n % 7}`, "kytos/topology.link_down"),
    publishedAt: 0,
    receipt: undefined,
  };
}

/** Reads and commits everything, in batches of `batch`. */
async function drain(spool: Spool, batch = 7): Promise<PublishedEvent[]> {
  const out: PublishedEvent[] = [];
  for (;;) {
    const read = await spool.read(batch, 1024 * 1024);
    if (read.events.length === 0) return out;
    out.push(...read.events);
    await spool.commit(read, read.events.length);
  }
}

const segments = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".seg"))
    .sort();

describe("spool frames", () => {
  it("detect a torn and a corrupt frame", () => {
    const frames = Buffer.concat([encodeFrame(Buffer.from("one")), encodeFrame(Buffer.from("two"))]);
    expect(scanFrames(frames).frames.map((f) => f.payload.toString())).toEqual(["one", "two"]);
    const torn = scanFrames(frames.subarray(0, frames.length - 1));
    expect(torn).toMatchObject({ stop: "partial", validBytes: 11 });
    const corrupt = Buffer.from(frames);
    corrupt[frames.length - 1]! ^= 0xff;
    expect(scanFrames(corrupt)).toMatchObject({ stop: "corrupt", validBytes: 11 });
  });
});

describe("Spool", () => {
  it("replays appended events in order, byte for byte, across segments, and deletes replayed segments", async () => {
    const dir = tempDir();
    const spool = new Spool(dir, { dir, segmentBytes: 1024 }, () => {});
    const written = Array.from({ length: 60 }, (_, i) => event(i + 1));
    for (const e of written) expect(spool.append(e)).toBe(true);
    await spool.flushed();
    expect(segments(dir).length).toBeGreaterThan(5);
    const replayed = await drain(spool);
    expect(replayed.map((e) => e.sequence)).toEqual(written.map((e) => e.sequence));
    replayed.forEach((e, i) => {
      expect(Buffer.from(e.value).equals(Buffer.from(written[i]!.value))).toBe(true);
      expect([e.id, e.key, e.type, e.headers]).toEqual([
        written[i]!.id,
        written[i]!.key,
        written[i]!.type,
        written[i]!.headers,
      ]);
    });
    expect(spool.backlogBytes).toBe(0);
    expect(segments(dir)).toEqual([]);
    expect(spool.stats).toMatchObject({ appended: 60, replayed: 60, lostRecords: 0 });
    await spool.close();
  });

  it("refuses appends beyond maxBytes", async () => {
    const dir = tempDir();
    const spool = new Spool(dir, { dir, maxBytes: 1000 }, () => {});
    const accepted = Array.from({ length: 20 }, (_, i) => spool.append(event(i))).filter(Boolean).length;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(20);
    expect(spool.backlogBytes).toBeLessThanOrEqual(1000);
    await spool.close();
  });

  it("continues after a restart from the last committed event", async () => {
    const dir = tempDir();
    const first = new Spool(dir, { dir, segmentBytes: 1024 }, () => {});
    for (let i = 1; i <= 30; i++) first.append(event(i));
    let committed = 0;
    while (committed < 12) {
      const read = await first.read(12 - committed, 1024 * 1024);
      await first.commit(read, read.events.length);
      committed += read.events.length;
    }
    await first.close();
    const second = new Spool(dir, { dir, segmentBytes: 1024 }, () => {});
    expect((await drain(second)).map((e) => Number(e.sequence))).toEqual(
      Array.from({ length: 18 }, (_, i) => i + 13),
    );
    await second.close();
  });

  it("cuts a torn last record off on open, counts it, and keeps every complete record", async () => {
    const dir = tempDir();
    const first = new Spool(dir, { dir }, () => {});
    for (let i = 1; i <= 10; i++) first.append(event(i));
    await first.close();
    const [last] = segments(dir).slice(-1);
    const torn = encodeFrame(Buffer.alloc(200, 1)).subarray(0, 50); // a crash 50 bytes into a write
    appendFileSync(join(dir, last!), torn);
    const problems: KytosEventsError[] = [];
    const second = new Spool(dir, { dir }, (e) => problems.push(e));
    expect(second.stats.truncatedBytes).toBe(50);
    expect(problems[0]?.message).toMatch(/cut 50 bytes of a torn record/);
    expect((await drain(second)).map((e) => Number(e.sequence))).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    await second.close();
  });

  it("skips the rest of a segment after a corrupt record, counts it, and goes on with the next segment", async () => {
    const dir = tempDir();
    const first = new Spool(dir, { dir, segmentBytes: 1024 }, () => {});
    for (let i = 1; i <= 40; i++) first.append(event(i));
    await first.close();
    const [head, second] = segments(dir);
    const path = join(dir, head!);
    const bytes = readFileSync(path);
    const perSegment = scanFrames(bytes).frames.length;
    bytes[bytes.length - 5]! ^= 0xff; // damage the head segment's last record
    writeFileSync(path, bytes);
    const problems: KytosEventsError[] = [];
    const reopened = new Spool(dir, { dir, segmentBytes: 1024 }, (e) => problems.push(e));
    const replayed = (await drain(reopened)).map((e) => Number(e.sequence));
    expect(replayed).toEqual(Array.from({ length: 40 }, (_, i) => i + 1).filter((n) => n !== perSegment));
    expect(reopened.stats.corruptBytes).toBeGreaterThan(0);
    expect(problems.some((p) => /corrupt record/.test(p.message))).toBe(true);
    expect(second).toBeDefined();
    await reopened.close();
  });

  it("puts events written at close in front of everything already spooled", async () => {
    const dir = tempDir();
    const spool = new Spool(dir, { dir }, () => {});
    for (let i = 11; i <= 20; i++) spool.append(event(i));
    await spool.flushed();
    expect(spool.writeFront(Array.from({ length: 10 }, (_, i) => event(i + 1)))).toBe(10);
    await spool.close();
    const reopened = new Spool(dir, { dir }, () => {});
    expect((await drain(reopened)).map((e) => Number(e.sequence))).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    await reopened.close();
  });

  it("refuses a directory it cannot create or write at start-up, with a message naming it", () => {
    const file = join(tempDir(), "a-file");
    writeFileSync(file, "");
    const dir = join(file, "spool");
    expect(() => new Spool(dir, { dir }, () => {})).toThrow(
      expect.objectContaining({ code: "KE_CONFIG_INVALID", message: expect.stringContaining(dir) }),
    );
  });
});
