// A consumer process killed mid-batch (SIGKILL: no close, no final commit) and restarted loses
// nothing, and the group never commits past a record that was not handled. The consumer is a
// real child process (test-fixtures/consume.ts) that settles out of order and records each
// handled record in a file (fsync before ack), so the file is the ground truth of "handled"
// at the moment of the kill, and the broker's committed offsets are checked against it.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Admin, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../test-fixtures/wait-for.js";
import { createKafkaTransport } from "./kafka-transport.js";

const brokers = process.env.KAFKA_BROKERS!;
const root = fileURLToPath(new URL("../../../", import.meta.url));
const fixture = fileURLToPath(new URL("../test-fixtures/consume.ts", import.meta.url));
const N = 4000;
const PARTITIONS = 3;

const children = new Set<ChildProcess>();
let admin: Admin;
let dir: string;

beforeAll(async () => {
  admin = new Kafka({ brokers: brokers.split(","), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  dir = mkdtempSync(join(tmpdir(), "kafka-consumer-crash-"));
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await admin?.disconnect();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Handled {
  readonly id: number;
  readonly partition: number;
  readonly offset: number;
}

/** The lines the consumer fsynced; a torn last line (killed mid-write) is not a handled record. */
function readHandled(file: string): Handled[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const lines = text.split("\n");
  lines.pop(); // "" after the last newline, or a torn line
  return lines.map((line) => {
    const [id, lane, offset] = line.split("\t");
    return {
      id: Number(id),
      partition: Number(lane!.slice(lane!.lastIndexOf("/") + 1)),
      offset: Number(offset),
    };
  });
}

function startConsumer(env: Record<string, string>): { child: ChildProcess; exited: Promise<string> } {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@kytos-events/source", fixture], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.add(child);
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => {
      children.delete(child);
      resolve(`exit ${signal ?? code}${stderr ? `; stderr:\n${stderr.slice(-2000)}` : ""}`);
    });
  });
  return { child, exited };
}

async function committed(group: string, topic: string): Promise<Map<number, number>> {
  const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  const out = new Map<number, number>();
  for (const p of entry?.partitions ?? []) out.set(p.partition, Number(p.offset));
  return out;
}

/** Offsets below the committed position that are not in the handled file: must be none. */
function committedButUnhandled(commits: Map<number, number>, handled: readonly Handled[]): string[] {
  const seen = new Set(handled.map((h) => `${h.partition}@${h.offset}`));
  const bad: string[] = [];
  for (const [partition, position] of commits) {
    for (let offset = 0; offset < position; offset++) {
      if (!seen.has(`${partition}@${offset}`)) bad.push(`${partition}@${offset}`);
    }
  }
  return bad;
}

/** Partition offsets that were not handled although a later offset of the partition was. */
function gapsBelowHandled(handled: readonly Handled[]): number {
  let gaps = 0;
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const offsets = new Set(handled.filter((h) => h.partition === partition).map((h) => h.offset));
    const top = Math.max(-1, ...offsets);
    for (let offset = 0; offset < top; offset++) if (!offsets.has(offset)) gaps++;
  }
  return gaps;
}

describe("kafka consumer crash", () => {
  it("after a SIGKILL mid-batch and a restart, every record is handled at least once and no commit passed an unhandled record", async () => {
    const topic = `crash-${randomUUID().slice(0, 8)}`;
    const group = `crash-group-${topic}`;
    const out = join(dir, `${topic}.handled`);
    const producer = createKafkaTransport({ brokers });
    try {
      await producer.ensureDestinations([{ name: topic, partitions: PARTITIONS }]);
      const encoder = new TextEncoder();
      for (let start = 0; start < N; start += 500) {
        await producer.send(
          Array.from({ length: 500 }, (_, i) => ({
            destination: topic,
            key: `switch-${(start + i) % 29}`,
            value: encoder.encode(String(start + i)),
            headers: {},
          })),
        );
      }
    } finally {
      await producer.close();
    }
    const env = { KAFKA_BROKERS: brokers, TOPIC: topic, GROUP: group, OUT_FILE: out, MAX_DELAY_MS: "60" };

    // First run: killed once a third is handled and the group has committed something.
    const first = startConsumer(env);
    let commitsBeforeKill = new Map<number, number>();
    await waitFor(
      async () => {
        if (readHandled(out).length < N / 3) return false;
        commitsBeforeKill = await committed(group, topic);
        return [...commitsBeforeKill.values()].some((o) => o > 0);
      },
      90_000,
      () => `the first consumer to handle ${N / 3} records and commit (handled ${readHandled(out).length})`,
    );
    first.child.kill("SIGKILL");
    expect(await first.exited).toMatch(/^exit SIGKILL/);
    const handledAtKill = readHandled(out);
    const distinctAtKill = new Set(handledAtKill.map((h) => h.id)).size;
    expect(distinctAtKill).toBeLessThan(N); // killed mid-stream, not after the end
    // Settlement was out of order at the kill (a handled record above an unhandled one), so a
    // consumer committing its highest acked offset would have failed the checks below.
    const gaps = gapsBelowHandled(handledAtKill);
    expect(gaps, "an unhandled record below a handled one at the kill").toBeGreaterThan(0);

    // Committed positions right after the kill, and once the dead member has left the group
    // (a commit already in flight may land late): none passes an unhandled record.
    const commitsAtKill = await committed(group, topic);
    expect(committedButUnhandled(commitsAtKill, handledAtKill)).toEqual([]);
    await waitFor(
      async () => (await admin.describeGroups([group])).groups[0]?.state === "Empty",
      60_000,
      () => "the killed member's session to expire",
    );
    const commitsSettled = await committed(group, topic);
    expect(committedButUnhandled(commitsSettled, handledAtKill)).toEqual([]);
    const committedCount = [...commitsSettled.values()].reduce((n, o) => n + Math.max(0, o), 0);
    expect(committedCount).toBeGreaterThan(0);

    // Second run: picks up from the commits and handles everything.
    const second = startConsumer(env);
    await waitFor(
      () => new Set(readHandled(out).map((h) => h.id)).size >= N,
      90_000,
      () =>
        `all ${N} records handled (have ${new Set(readHandled(out).map((h) => h.id)).size}); ${second.child.exitCode ?? "running"}`,
    );
    second.child.kill("SIGTERM");
    await second.exited;

    const all = readHandled(out);
    const ids = new Set(all.map((h) => h.id));
    expect([...Array(N).keys()].filter((id) => !ids.has(id))).toEqual([]);
    // The restart resumed each partition exactly at its committed position: no gap, and the
    // records handled-but-not-committed before the kill came again (at-least-once).
    const afterRestart = all.slice(handledAtKill.length);
    for (const [partition, position] of commitsSettled) {
      const offsets = afterRestart.filter((h) => h.partition === partition).map((h) => h.offset);
      if (offsets.length > 0)
        expect(Math.min(...offsets), `partition ${partition}`).toBe(Math.max(0, position));
    }
    const uncommittedAtKill = handledAtKill.filter(
      (h) => h.offset >= Math.max(0, commitsSettled.get(h.partition) ?? 0),
    ).length;
    // Every duplicate is a record handled before the kill whose position was not committed yet.
    expect(all.length - N).toBe(uncommittedAtKill);
    console.info(
      `[consumer-crash] N=${N} handled at kill=${distinctAtKill} committed at kill=${committedCount} ` +
        `handled but uncommitted at kill=${uncommittedAtKill} unhandled gaps below handled at kill=${gaps} ` +
        `handled in total=${all.length} duplicates=${all.length - N}`,
    );
  }, 240_000);
});
