// The spool's on-disk record framing: [length u32][crc32 u32][payload], big-endian. The length
// lets a reader walk records without parsing them; the checksum tells a complete record from a
// torn or corrupted one (a crash mid-write, a bad sector), so a restart can cut the damage off.
import { crc32 } from "node:zlib";

export const FRAME_HEADER_BYTES = 8;

/** Payloads above this are not spooled (no event comes near it; it bounds a reader's buffer). */
export const MAX_FRAME_PAYLOAD = 64 * 1024 * 1024;

export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.byteLength);
  frame.writeUInt32BE(payload.byteLength, 0);
  frame.writeUInt32BE(crc32(payload), 4);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

export interface ScannedFrame {
  readonly payload: Buffer;
  /** Offset just past this frame, relative to the scanned buffer. */
  readonly end: number;
}

export interface ScanResult {
  readonly frames: ScannedFrame[];
  /** Bytes of complete, valid frames from the start of the buffer. */
  readonly validBytes: number;
  /**
   * Why scanning stopped before the end of the buffer: "partial" (the next frame does not fit:
   * read more, or on disk a torn write), "corrupt" (a checksum or length that cannot be right).
   */
  readonly stop: "end" | "partial" | "corrupt";
  /** For "partial": the full size of the next frame, so a reader can read enough. */
  readonly nextFrameBytes?: number;
}

/** Walks the frames of `buffer`, up to `maxFrames`, verifying each checksum. */
export function scanFrames(buffer: Buffer, maxFrames = Number.POSITIVE_INFINITY): ScanResult {
  const frames: ScannedFrame[] = [];
  let offset = 0;
  while (offset < buffer.byteLength && frames.length < maxFrames) {
    if (buffer.byteLength - offset < FRAME_HEADER_BYTES) {
      return { frames, validBytes: offset, stop: "partial", nextFrameBytes: FRAME_HEADER_BYTES };
    }
    const length = buffer.readUInt32BE(offset);
    if (length > MAX_FRAME_PAYLOAD) return { frames, validBytes: offset, stop: "corrupt" };
    const end = offset + FRAME_HEADER_BYTES + length;
    if (end > buffer.byteLength) {
      return { frames, validBytes: offset, stop: "partial", nextFrameBytes: FRAME_HEADER_BYTES + length };
    }
    const payload = buffer.subarray(offset + FRAME_HEADER_BYTES, end);
    if (crc32(payload) !== buffer.readUInt32BE(offset + 4))
      return { frames, validBytes: offset, stop: "corrupt" };
    frames.push({ payload, end });
    offset = end;
  }
  return { frames, validBytes: offset, stop: "end" };
}
