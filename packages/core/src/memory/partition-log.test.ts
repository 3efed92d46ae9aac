import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PartitionLog } from "./partition-log.js";

const empty = new Uint8Array();

describe("PartitionLog", () => {
  it("agrees with a naive model on readable records, reads from any offset, and counts what it removed", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.option(fc.nat(12), { nil: undefined }), { minLength: 1, maxLength: 3000, size: "max" }),
        fc.array(fc.nat(3100), { maxLength: 20 }),
        (compacted, maxRecords, keys, probes) => {
          const log = new PartitionLog(maxRecords, compacted);
          // The model: readable records in offset order, removals done by whole-list scans.
          let model: { offset: number; key: string | undefined }[] = [];
          let trimmed = 0;
          let compactedAway = 0;
          keys.forEach((k, offset) => {
            const key = k === undefined ? undefined : `k${k}`;
            expect(log.append(key, empty, {}, 0)).toBe(offset);
            if (compacted && key !== undefined) {
              const before = model.length;
              model = model.filter((r) => r.key !== key);
              compactedAway += before - model.length;
            }
            model.push({ offset, key });
            while (model.length > maxRecords) {
              model.shift();
              trimmed++;
            }
          });
          expect([...log.records()].map((r) => r.offset)).toEqual(model.map((r) => r.offset));
          expect(log.size).toBe(model.length);
          expect(log.trimmed).toBe(trimmed);
          expect(log.compactedAway).toBe(compactedAway);
          expect(log.endOffset).toBe(keys.length);
          for (const probe of probes) {
            expect(log.next(probe)?.offset, `next(${probe})`).toBe(
              model.find((r) => r.offset >= probe)?.offset,
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps memory proportional to the readable records when a few keys are rewritten very often", () => {
    const log = new PartitionLog(100_000, true);
    for (let i = 0; i < 200_000; i++) log.append(`link-${i % 4}`, empty, {}, 0);
    expect(log.size).toBe(4);
    expect(log.compactedAway).toBe(200_000 - 4);
    // Internal arrays: holes and the consumed prefix are reclaimed past small fixed floors
    // (about 1 000 and 4 000 entries), so their length does not follow the 200 000 writes.
    const slots = (log as unknown as { slots: unknown[] }).slots.length;
    expect(slots).toBeLessThan(10_000);
  });
});
