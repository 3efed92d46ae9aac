import { describe, expect, it } from "vitest";
import { judgeTypedocLog } from "./api-docs-check.js";

const known = ["MemoryTopic @kytos-events/core/src/memory/memory-broker.ts"];
const missing = (name: string, file: string) =>
  `\u001b[93m[warning]\u001b[0m ${name}, defined in ${file}, is referenced by index.X.y but not included in the documentation`;

describe("judgeTypedocLog", () => {
  it("tolerates exactly the known missing exports", () => {
    const log = [
      "[info] Converting project at ./packages/core",
      missing("MemoryTopic", "@kytos-events/core/src/memory/memory-broker.ts"),
      "[warning] Found 0 errors and 1 warnings",
    ].join("\n");
    expect(judgeTypedocLog(log, known)).toEqual({
      ok: true,
      lines: ["  (1 known missing exports tolerated, listed in tools/release/src/api-docs-known.ts)"],
    });
  });

  it("fails on a new missing export, naming the type, its file and its user", () => {
    const log = [
      missing("MemoryTopic", "@kytos-events/core/src/memory/memory-broker.ts"),
      missing("Lane", "@kytos-events/producer/src/lane.ts"),
    ].join("\n");
    const verdict = judgeTypedocLog(log, known);
    expect(verdict.ok).toBe(false);
    expect(verdict.lines).toContain(
      "✗ not exported: Lane (@kytos-events/producer/src/lane.ts), used by index.X.y",
    );
  });

  it("fails on any other warning", () => {
    const verdict = judgeTypedocLog(
      `${missing("MemoryTopic", "@kytos-events/core/src/memory/memory-broker.ts")}\n[warning] Failed to resolve link to "Foo"`,
      known,
    );
    expect(verdict).toEqual(expect.objectContaining({ ok: false }));
    expect(verdict.lines[0]).toBe('✗ [warning] Failed to resolve link to "Foo"');
  });

  it("fails when a known entry is fixed but still listed, so the list only shrinks", () => {
    const verdict = judgeTypedocLog("[info] html generated at ./docs/api", known);
    expect(verdict.ok).toBe(false);
    expect(verdict.lines).toEqual([
      "✗ MemoryTopic @kytos-events/core/src/memory/memory-broker.ts is exported now: remove it from tools/release/src/api-docs-known.ts",
    ]);
  });
});
