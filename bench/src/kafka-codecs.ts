// The compression codecs kafkajs lacks, registered with it: snappy (kafkajs-snappy, pure JS),
// lz4 frames (lz4js, pure JS) and zstd (@mongodb-js/zstd, prebuilt native; level 3, Kafka's
// default). The same functions give the compression part its bytes-per-event figures, so the
// sizes in the table are what kafkajs would put on the wire.
import { gzipSync } from "node:zlib";
import { compress as zstdCompress, decompress as zstdDecompress } from "@mongodb-js/zstd";
import kafkajs from "kafkajs";
import createSnappyCodec from "kafkajs-snappy";
import * as lz4 from "lz4js";
import { hash as xxh32 } from "lz4js/xxh32.js";

export type CodecName = "gzip" | "snappy" | "lz4" | "zstd";
export const CODECS: readonly CodecName[] = ["gzip", "snappy", "lz4", "zstd"];

// kafkajs is CommonJS: its codec table is reached through the default export.
const { CompressionCodecs, CompressionTypes } = kafkajs;
const ZSTD_LEVEL = 3;
const snappy = createSnappyCodec();

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * An LZ4 frame Kafka accepts: lz4js leaves the block-independence flag unset, which Kafka's
 * reader refuses; its blocks are 4 MiB, so a Kafka batch is one block and the flag is true.
 * The header checksum (second byte of xxh32 over the descriptor) is written again.
 */
function lz4Frame(bytes: Uint8Array): Uint8Array {
  const frame = lz4.compress(bytes);
  if (bytes.byteLength > 4 * 1024 * 1024) throw new Error("bench: lz4 batch larger than one block");
  frame[4] = (frame[4] ?? 0) | 0x20;
  frame[6] = (xxh32(0, frame, 4, 2) >> 8) & 0xff;
  return frame;
}

/** Compresses one batch the way the codec does inside a Kafka record batch. */
export async function compressBatch(codec: CodecName, batch: Buffer): Promise<Uint8Array> {
  switch (codec) {
    case "gzip":
      return gzipSync(batch);
    case "snappy":
      return snappy.compress({ buffer: batch });
    case "lz4":
      return lz4Frame(batch);
    case "zstd":
      return zstdCompress(batch, ZSTD_LEVEL);
  }
}

let registered = false;

export function registerKafkaCodecs(): void {
  if (registered) return;
  registered = true;
  CompressionCodecs[CompressionTypes.Snappy] = createSnappyCodec;
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: async (encoder: { buffer: Buffer }) => toBuffer(lz4Frame(encoder.buffer)),
    decompress: async (buffer: Buffer) => toBuffer(lz4.decompress(buffer)),
  });
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: (encoder: { buffer: Buffer }) => zstdCompress(encoder.buffer, ZSTD_LEVEL),
    decompress: (buffer: Buffer) => zstdDecompress(buffer),
  });
}

export const KAFKA_TYPE: Record<CodecName | "none", kafkajs.CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};
