// Part 1, codec: bytes per event and encode/decode rates for the envelope as Protobuf binary
// and Protobuf JSON, against the controller's plain JSON and MessagePack of the same dict;
// then bytes after gzip of a Kafka-like batch, which is what a topic stores on disk.
import { gzipSync } from "node:zlib";
import { createEnvelope, decodeEnvelope, encodeEnvelope } from "@kytos-events/core";
import { type EventName, fromKytosJson } from "@kytos-events/schema";
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

export function runCodec(budgetMs: number): CodecResult[] {
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
