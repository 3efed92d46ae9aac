import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createProducer } from "../producer.js";
import { memoryLane } from "../test-support.js";
import { createFileSequenceStore } from "./sequence-store.js";

const tempFile = () => join(mkdtempSync(join(tmpdir(), "kytos-seq-")), "sequence.json");
const linkDown = { link: { id: "l1" }, reason: "r" };

function publishSome(path: string, count: number, reserveAhead = 1000) {
  const producer = createProducer({
    source: "ctl-1",
    lanes: [memoryLane("memory").lane],
    sequenceStore: createFileSequenceStore(path, { reserveAhead }),
  });
  const sequences = Array.from(
    { length: count },
    () => producer.publish("kytos/topology.link_down", linkDown).sequence,
  );
  return { producer, sequences };
}

describe("file sequence store", () => {
  it("continues the sequence after a clean restart, without a jump", async () => {
    const path = tempFile();
    const first = publishSome(path, 5);
    await first.producer.close();
    const second = publishSome(path, 3);
    expect([...first.sequences, ...second.sequences]).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    await second.producer.close();
  });

  it("after a crash starts above every number that may have been used (a gap, never a reuse)", async () => {
    const path = tempFile();
    const crashed = publishSome(path, 15, 10); // never closed: numbers up to 20 were reserved
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ source: "ctl-1", last: "20" });
    const restarted = publishSome(path, 1, 10);
    expect(restarted.sequences).toEqual([21n]);
    await Promise.all([crashed.producer.close(), restarted.producer.close()]);
  });

  it("refuses a file of another source or one that is not a sequence record, naming the file", () => {
    const path = tempFile();
    writeFileSync(path, JSON.stringify({ source: "other", last: "3" }));
    expect(() => publishSome(path, 1)).toThrow(/belongs to source "other", not "ctl-1"/);
    writeFileSync(path, "garbage");
    expect(() => publishSome(path, 1)).toThrow(
      expect.objectContaining({ code: "KE_CONFIG_INVALID", message: expect.stringContaining(path) }),
    );
  });

  it("never makes publish throw when the store cannot save: numbering goes on and the problem is reported", async () => {
    const codes: string[] = [];
    const producer = createProducer({
      source: "ctl-1",
      lanes: [memoryLane("memory").lane],
      sequenceStore: {
        reserveAhead: 2,
        load: () => 0n,
        save: () => {
          throw new Error("disk full");
        },
      },
      onError: (e) => codes.push(e.code),
    });
    const sequences = [1, 2, 3].map(() => producer.publish("kytos/topology.link_down", linkDown).sequence);
    expect(sequences).toEqual([1n, 2n, 3n]);
    expect(codes).toEqual(["KE_STORE_UNAVAILABLE", "KE_STORE_UNAVAILABLE"]);
    await producer.close();
  });
});
