// Part 1, codec: bytes per event and encode/decode rates for the envelope as Protobuf binary
// and Protobuf JSON, against the controller's plain JSON and MessagePack of the same dict;
// then bytes after gzip of a Kafka-like batch, which is what a topic stores on disk; then
// protobuf-es's reflective toBinary against the generated encoder (envelopeToBinary, what
// encodeEnvelope uses) on every fixture event.
import { cpuUsage } from "node:process";
import { gzipSync } from "node:zlib";
import { toBinary } from "@bufbuild/protobuf";
import { createEnvelope, decodeEnvelope, encodeEnvelope } from "@kytos-events/core";
import { EnvelopeSchema, type EventName, envelopeToBinary, fromKytosJson } from "@kytos-events/schema";
import { kytosEventFixtures } from "@kytos-events/schema/fixtures";
import { Packr } from "msgpackr";
import { fmt, rate } from "./measure.js";
import { printTable, type Row } from "./table.js";

const REPRESENTATIVE: readonly EventName[] = [
  "kytos/topology.link_down",
  "kytos/core.switch.new",
  "kytos/topology.updated",
  "kytos/mef_eline.deployed",
  "kytos/flow_manager.flow.added",
];

export const GZIP_BATCH = 500;

export interface CodecResult {
  readonly event: string;
  readonly format: string;
  readonly bytes: number;
  readonly gzipBytesPerEvent: number;
  readonly encodePerSecond: number;
  readonly decodePerSecond: number;
}

interface Format {
  readonly name: string;
  readonly encode: (i: number) => Uint8Array;
  readonly decode: (bytes: Uint8Array) => unknown;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

function formatsFor(name: EventName, content: Record<string, unknown>): Format[] {
  const payload = fromKytosJson(name, content);
  // A fresh envelope per encode would measure uuidv7 and create(); the producer builds the
  // envelope once per event anyway, so encode the same one and count create separately.
  const envelope = createEnvelope({ type: name, payload, source: "bench", sequence: 1n });
  const binary = encodeEnvelope(envelope, "binary");
  const json = encodeEnvelope(envelope, "json");
  const packr = new Packr({ useRecords: false });
  const plain = { name, id: envelope.id, source: "bench", sequence: 1, content };
  return [
    {
      name: "protobuf binary",
      encode: () => encodeEnvelope(envelope, "binary").value,
      decode: (b) => decodeEnvelope(b, binary.headers),
    },
    {
      name: "protobuf JSON",
      encode: () => encodeEnvelope(envelope, "json").value,
      decode: (b) => decodeEnvelope(b, json.headers),
    },
    {
      name: "controller JSON",
      encode: () => textEncoder.encode(JSON.stringify(plain)),
      decode: (b) => JSON.parse(textDecoder.decode(b)),
    },
    {
      name: "msgpackr",
      encode: () => packr.pack(plain),
      decode: (b) => packr.unpack(b),
    },
  ];
}

function gzipPerEvent(sample: Uint8Array[]): number {
  const total = sample.reduce((n, b) => n + b.byteLength, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const b of sample) {
    joined.set(b, at);
    at += b.byteLength;
  }
  return gzipSync(joined).byteLength / sample.length;
}

/**
 * The gzip batch holds distinct envelopes (new id, next sequence) of the same event, as a
 * topic would, so repeated ids do not flatter the ratio; the other formats carry the same id.
 */
function batchOf(name: EventName, content: Record<string, unknown>, format: string): Uint8Array[] {
  const payload = fromKytosJson(name, content);
  const packr = new Packr({ useRecords: false });
  const out: Uint8Array[] = [];
  for (let i = 0; i < GZIP_BATCH; i++) {
    const envelope = createEnvelope({ type: name, payload, source: "bench", sequence: BigInt(i + 1) });
    const plain = { name, id: envelope.id, source: "bench", sequence: i + 1, content };
    if (format === "protobuf binary") out.push(encodeEnvelope(envelope, "binary").value);
    else if (format === "protobuf JSON") out.push(encodeEnvelope(envelope, "json").value);
    else if (format === "controller JSON") out.push(textEncoder.encode(JSON.stringify(plain)));
    else out.push(packr.pack(plain));
  }
  return out;
}

export interface EncoderResult {
  readonly event: string;
  readonly bytes: number;
  /** Encodes per CPU-second (the process's user + system time), best of the rounds. */
  readonly toBinaryPerCpuSecond: number;
  readonly generatedPerCpuSecond: number;
  readonly ratio: number;
}

export interface CodecPart {
  readonly formats: CodecResult[];
  readonly encoder: EncoderResult[];
}

/**
 * Like rate(), but per CPU-second of this process: the machine is shared with other suites,
 * and a comparison of two encoders should not depend on how often the scheduler ran this one.
 */
function cpuRate(op: () => unknown, budgetMs: number, chunk = 64): number {
  for (let i = 0; i < chunk * 4; i++) op();
  let ops = 0;
  let sink: unknown;
  const wallStart = performance.now();
  const start = cpuUsage();
  while (performance.now() - wallStart < budgetMs) {
    for (let i = 0; i < chunk; i++) sink = op();
    ops += chunk;
  }
  const used = cpuUsage(start);
  if (sink === Symbol.for("never")) console.log(sink);
  return ops / ((used.user + used.system) / 1e6);
}

/**
 * toBinary vs the generated encoder, per CPU-second, alternating, best of `rounds`: on the
 * envelope of each given fixture event, then on a mixed stream (every fixture event in turn,
 * as a producer sees them: the encoders' call sites then see every message shape).
 */
export function runEncoder(budgetMs: number, events: "representative" | "all"): EncoderResult[] {
  const rounds = events === "all" ? 3 : 5;
  const envelopeOf = (f: (typeof kytosEventFixtures)[number], i: number) =>
    createEnvelope({
      type: f.name as EventName,
      payload: fromKytosJson(f.name as EventName, f.content),
      source: "bench",
      sequence: BigInt(i + 1),
    });
  const all = kytosEventFixtures.map(envelopeOf);
  const measured = events === "all" ? all : REPRESENTATIVE.map((name) => all.find((e) => e.type === name)!);
  const cases: { event: string; bytes: number; toBinary: () => unknown; generated: () => unknown }[] =
    measured.map((envelope) => ({
      event: envelope.type,
      bytes: envelopeToBinary(envelope).byteLength,
      toBinary: () => toBinary(EnvelopeSchema, envelope),
      generated: () => envelopeToBinary(envelope),
    }));
  // One op encodes the whole stream; the rate is scaled to envelopes below.
  cases.push({
    event: `mixed stream (all ${all.length} fixture events in turn)`,
    bytes: Math.round(all.reduce((n, e) => n + envelopeToBinary(e).byteLength, 0) / all.length),
    toBinary: () => {
      for (const e of all) toBinary(EnvelopeSchema, e);
    },
    generated: () => {
      for (const e of all) envelopeToBinary(e);
    },
  });
  // Untimed warm-up first: the generated functions are large, and on a loaded machine the
  // optimising compiler (on background threads) needs a while to finish them.
  for (const c of cases) {
    cpuRate(c.toBinary, budgetMs);
    cpuRate(c.generated, budgetMs);
  }
  const best = cases.map(() => ({ toBinary: 0, generated: 0 }));
  for (let round = 0; round < rounds; round++) {
    cases.forEach((c, i) => {
      const b = best[i]!;
      b.toBinary = Math.max(b.toBinary, cpuRate(c.toBinary, budgetMs));
      b.generated = Math.max(b.generated, cpuRate(c.generated, budgetMs));
    });
  }
  const results = cases.map((c, i) => {
    const perOp = i === cases.length - 1 ? all.length : 1;
    const b = best[i]!;
    return {
      event: c.event,
      bytes: c.bytes,
      toBinaryPerCpuSecond: b.toBinary * perOp,
      generatedPerCpuSecond: b.generated * perOp,
      ratio: b.generated / b.toBinary,
    };
  });
  const single = results.slice(0, -1).map((r) => r.ratio);
  const geomean = Math.exp(single.reduce((n, r) => n + Math.log(r), 0) / single.length);
  const rows: Row[] = results.map((r) => [
    r.event,
    r.bytes,
    fmt(r.toBinaryPerCpuSecond),
    fmt(r.generatedPerCpuSecond),
    `${r.ratio.toFixed(2)}×`,
  ]);
  rows.push([
    `${single.length} events, one at a time`,
    "",
    "",
    "",
    `geomean ${geomean.toFixed(2)}× (min ${Math.min(...single).toFixed(2)}×, max ${Math.max(...single).toFixed(2)}×)`,
  ]);
  printTable(
    `Envelope encode: toBinary vs generated encoder (envelopes per CPU-second, after a warm-up, best of ${rounds} alternating rounds of ${budgetMs} ms)`,
    ["event", "bytes", "toBinary/s", "generated/s", "ratio"],
    rows,
  );
  return results;
}

/** `pnpm bench --quick` (a budget under 500 ms) compares the representative events only. */
export function runCodec(budgetMs: number): CodecPart {
  return {
    formats: runFormats(budgetMs),
    encoder: budgetMs >= 500 ? runEncoder(budgetMs / 10, "all") : runEncoder(budgetMs / 2, "representative"),
  };
}

function runFormats(budgetMs: number): CodecResult[] {
  const results: CodecResult[] = [];
  for (const name of REPRESENTATIVE) {
    const fixture = kytosEventFixtures.find((f) => f.name === name);
    if (fixture === undefined) throw new Error(`no fixture for ${name}`);
    for (const f of formatsFor(name, fixture.content)) {
      const bytes = f.encode(0);
      results.push({
        event: name,
        format: f.name,
        bytes: bytes.byteLength,
        gzipBytesPerEvent: gzipPerEvent(batchOf(name, fixture.content, f.name)),
        encodePerSecond: rate(f.encode, budgetMs).perSecond,
        decodePerSecond: rate(() => f.decode(bytes), budgetMs).perSecond,
      });
    }
  }
  const rows: Row[] = results.map((r) => [
    r.event,
    r.format,
    r.bytes,
    r.gzipBytesPerEvent.toFixed(1),
    fmt(r.encodePerSecond),
    fmt(r.decodePerSecond),
  ]);
  printTable(
    `Codec (gzip over batches of ${GZIP_BATCH} events)`,
    ["event", "format", "bytes", "gzip B/event", "encode/s", "decode/s"],
    rows,
  );
  return results;
}
