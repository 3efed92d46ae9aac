// A lane's durable overflow: when the outage buffer is full, events are appended to segment
// files on disk and replayed oldest first once the broker is back — also after a restart.
// Appends never block the publisher: they queue in memory and one writer flushes them in order.
// Bounded by bytes; on open, a torn last record (a crash mid-write) is cut off and counted, and
// a corrupt record met while replaying ends its segment's replay, counted and reported.
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { type FileHandle, open, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCode, KytosEventsError } from "@kytos-events/core";
import type { PublishedEvent } from "../published-event.js";
import { encodeFrame, scanFrames } from "./frame.js";
import { deserializeEvent, serializeEvent } from "./spool-record.js";

export interface SpoolConfig {
  /** Directory for the spool; each lane keeps its segments in a subdirectory named after it. */
  readonly dir: string;
  /** Most bytes on disk per lane; when full, new events are dropped as "spool-full". Default 1 GiB. */
  readonly maxBytes?: number;
  /** Size at which a new segment file starts; consumed segments are deleted. Default 16 MiB. */
  readonly segmentBytes?: number;
}

export interface SpoolStats {
  /** Bytes waiting on disk or in the write queue. */
  readonly backlogBytes: number;
  readonly appended: number;
  readonly replayed: number;
  /** Cut off a torn last record when the spool was opened. */
  readonly truncatedBytes: number;
  /** Skipped while replaying because a record was corrupt. */
  readonly corruptBytes: number;
  /** Records that could not be written (disk full, permissions): lost. */
  readonly lostRecords: number;
}

/** Events read from the spool, each with the position just past it (for commit). */
export interface SpoolRead {
  readonly events: readonly PublishedEvent[];
  readonly ends: readonly SpoolPosition[];
}

interface SpoolPosition {
  readonly segment: number;
  readonly offset: number;
}

interface Segment {
  readonly id: number;
  /** Bytes on disk (flushed). */
  size: number;
  /** Bytes already replayed from the front of the segment. */
  start: number;
}

// Ids start high so that events left in memory at close can go in a segment *before* the
// ones on disk (see writeFront) and still be read first.
const FIRST_ID = 1_000_000_000;
const SEGMENT = /^(\d{16})\.seg$/;
const CURSOR = "cursor.json";

const name = (id: number) => `${String(id).padStart(16, "0")}.seg`;

export class Spool {
  readonly maxBytes: number;
  readonly segmentBytes: number;
  private readonly segments: Segment[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private writing: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private tail: { id: number; handle: FileHandle } | undefined;
  private nextId = FIRST_ID;
  private counts = { appended: 0, replayed: 0, truncatedBytes: 0, corruptBytes: 0, lostRecords: 0 };
  private closed = false;

  constructor(
    readonly dir: string,
    config: SpoolConfig,
    private readonly onProblem: (error: KytosEventsError) => void,
  ) {
    this.maxBytes = config.maxBytes ?? 1024 * 1024 * 1024;
    this.segmentBytes = config.segmentBytes ?? 16 * 1024 * 1024;
    prepareDirectory(dir);
    this.load();
  }

  get backlogBytes(): number {
    let bytes = this.pendingBytes;
    for (const s of this.segments) bytes += s.size - s.start;
    return bytes;
  }

  get stats(): SpoolStats {
    return { backlogBytes: this.backlogBytes, ...this.counts };
  }

  /** Queues an event for disk; false (nothing queued) when the spool is full or closed. */
  append(event: PublishedEvent): boolean {
    if (this.closed) return false;
    const frame = encodeFrame(serializeEvent(event));
    if (this.backlogBytes + frame.byteLength > this.maxBytes) return false;
    this.pending.push(frame);
    this.pendingBytes += frame.byteLength;
    this.counts.appended++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.writing = this.writing.then(() => this.flush());
    }
    return true;
  }

  /** Resolves when every queued append is on disk (or counted as lost). */
  flushed(): Promise<void> {
    return this.writing;
  }

  /**
   * Reads the oldest events, up to `maxEvents` and about `maxBytes` (at least one when any is
   * on disk). Reading does not consume: `commit` does, after the broker acknowledged them.
   */
  async read(maxEvents: number, maxBytes: number): Promise<SpoolRead> {
    if (this.pendingBytes > 0 && this.flushedBacklog() === 0) await this.writing;
    for (;;) {
      const head = this.segments.find((s) => s.size > s.start);
      if (!head) return { events: [], ends: [] };
      const result = await this.readSegment(head, maxEvents, maxBytes);
      if (result) return result;
    }
  }

  /** Consumes the first `count` events of `read`; deletes segments that are fully replayed. */
  async commit(read: SpoolRead, count: number): Promise<void> {
    const end = read.ends[Math.min(count, read.ends.length) - 1];
    if (end === undefined) return;
    for (const s of this.segments) {
      if (s.id < end.segment) s.start = s.size;
      else if (s.id === end.segment) s.start = Math.max(s.start, end.offset);
    }
    this.counts.replayed += count;
    await this.prune();
  }

  /**
   * Puts events (left in memory at close, oldest first) in a new segment before every other
   * one, so a restart sends them first. Synchronous: it runs once, at close.
   */
  writeFront(events: readonly PublishedEvent[]): number {
    if (events.length === 0) return 0;
    const frames = events.map((e) => encodeFrame(serializeEvent(e)));
    const bytes = frames.reduce((sum, f) => sum + f.byteLength, 0);
    if (this.backlogBytes + bytes > this.maxBytes) return 0;
    const first = this.segments[0];
    const id = first ? first.id - 1 : this.nextId++;
    const path = join(this.dir, name(id));
    writeFileSync(`${path}.tmp`, Buffer.concat(frames));
    renameSync(`${path}.tmp`, path);
    this.segments.unshift({ id, size: bytes, start: 0 });
    this.saveCursor();
    return events.length;
  }

  /** Writes what is queued, then closes the files. Later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.writing;
    await this.closeTail();
    try {
      this.saveCursor();
    } catch (err) {
      this.onProblem(
        new KytosEventsError(
          ErrorCode.StoreUnavailable,
          `spool ${this.dir}: could not save the replay position (${(err as Error).message}); ` +
            "the next start may send some events again.",
          { cause: err },
        ),
      );
    }
  }

  // --- opening ---

  private load(): void {
    const ids = readdirSync(this.dir)
      .map((file) => SEGMENT.exec(file)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const starts = this.readCursor();
    for (const id of ids) {
      const size = statSync(join(this.dir, name(id))).size;
      this.segments.push({ id, size, start: Math.min(starts[id] ?? 0, size) });
    }
    const last = this.segments.at(-1);
    if (last) {
      this.repairTail(last);
      this.nextId = Math.max(FIRST_ID, last.id + 1);
    }
  }

  private readCursor(): Record<number, number> {
    try {
      const parsed = JSON.parse(readFileSync(join(this.dir, CURSOR), "utf8")) as { starts?: unknown };
      const starts: Record<number, number> = {};
      if (parsed.starts && typeof parsed.starts === "object") {
        for (const [id, offset] of Object.entries(parsed.starts)) {
          if (Number.isInteger(offset) && (offset as number) >= 0) starts[Number(id)] = offset as number;
        }
      }
      return starts;
    } catch {
      // No cursor (a new spool) or an unreadable one: replay every segment from its start.
      // At worst that sends again what was sent before the crash, which at-least-once allows.
      return {};
    }
  }

  /** A crash mid-append leaves a torn record at the end of the last segment: cut it off. */
  private repairTail(segment: Segment): void {
    const path = join(this.dir, name(segment.id));
    const scan = scanFrames(readFileSync(path));
    if (scan.validBytes === segment.size) return;
    const cut = segment.size - scan.validBytes;
    truncateSync(path, scan.validBytes);
    segment.size = scan.validBytes;
    segment.start = Math.min(segment.start, segment.size);
    this.counts.truncatedBytes += cut;
    this.onProblem(
      new KytosEventsError(
        ErrorCode.DecodeFailed,
        `spool ${path}: cut ${cut} bytes of a ${scan.stop === "partial" ? "torn" : "corrupt"} record off the end ` +
          "(a crash during a write); every complete record before it is kept.",
      ),
    );
  }

  // --- writing ---

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    while (this.pending.length > 0) {
      const frames = this.pending;
      this.pending = [];
      let i = 0;
      while (i < frames.length) {
        const last = this.segments.at(-1);
        const rotate =
          last === undefined ||
          last.id !== this.tail?.id ||
          (last.size > 0 && last.size + frames[i]!.byteLength > this.segmentBytes);
        const base = rotate ? 0 : last.size;
        const group: Buffer[] = [];
        let groupBytes = 0;
        while (
          i + group.length < frames.length &&
          (group.length === 0 ||
            base + groupBytes + frames[i + group.length]!.byteLength <= this.segmentBytes)
        ) {
          const frame = frames[i + group.length]!;
          group.push(frame);
          groupBytes += frame.byteLength;
        }
        try {
          const segment = rotate ? await this.rotate() : last;
          await writeAll(this.tail!.handle, Buffer.concat(group, groupBytes));
          segment.size += groupBytes;
        } catch (err) {
          this.counts.lostRecords += group.length;
          this.onProblem(
            new KytosEventsError(
              ErrorCode.StoreUnavailable,
              `spool ${this.dir}: could not write ${group.length} event(s): ${(err as Error).message}. ` +
                "They are lost; check the disk (space, permissions).",
              { cause: err },
            ),
          );
          await this.closeTail();
        }
        this.pendingBytes -= groupBytes;
        i += group.length;
      }
    }
  }

  /** Starts a new tail segment (never reusing the id of a deleted one). */
  private async rotate(): Promise<Segment> {
    await this.closeTail();
    const id = this.nextId++;
    // Listed before the file opens, so writeFront (which runs meanwhile) puts its segment before it.
    const segment: Segment = { id, size: 0, start: 0 };
    this.segments.push(segment);
    const handle = await open(join(this.dir, name(id)), "a");
    this.tail = { id, handle };
    return segment;
  }

  private async closeTail(): Promise<void> {
    const tail = this.tail;
    this.tail = undefined;
    await tail?.handle.close().catch(() => {});
  }

  // --- replaying ---

  private flushedBacklog(): number {
    let bytes = 0;
    for (const s of this.segments) bytes += s.size - s.start;
    return bytes;
  }

  /** Undefined when the segment's rest was corrupt and skipped: read the next one. */
  private async readSegment(
    segment: Segment,
    maxEvents: number,
    maxBytes: number,
  ): Promise<SpoolRead | undefined> {
    const path = join(this.dir, name(segment.id));
    const available = segment.size - segment.start;
    let length = Math.min(available, Math.max(maxBytes, 64 * 1024));
    for (;;) {
      const buffer = await readAt(path, segment.start, length);
      const scan = scanFrames(buffer, maxEvents);
      if (scan.frames.length > 0) return this.decode(segment, scan.frames);
      if (scan.stop === "partial" && scan.nextFrameBytes !== undefined && scan.nextFrameBytes <= available) {
        length = scan.nextFrameBytes;
        continue;
      }
      this.skipCorrupt(segment, path, available);
      await this.prune();
      return undefined;
    }
  }

  private decode(segment: Segment, frames: ReturnType<typeof scanFrames>["frames"]): SpoolRead | undefined {
    const events: PublishedEvent[] = [];
    const ends: SpoolPosition[] = [];
    for (const frame of frames) {
      try {
        events.push(deserializeEvent(frame.payload));
        ends.push({ segment: segment.id, offset: segment.start + frame.end });
      } catch (err) {
        if (events.length > 0) break; // return what decoded; the bad record comes first next time
        const bad = frame.end;
        segment.start += bad;
        this.counts.corruptBytes += bad;
        this.onProblem(
          new KytosEventsError(
            ErrorCode.DecodeFailed,
            `spool ${this.dir}: skipped a record that is not a spooled event (${(err as Error).message}).`,
          ),
        );
        return undefined;
      }
    }
    return { events, ends };
  }

  private skipCorrupt(segment: Segment, path: string, bytes: number): void {
    segment.start = segment.size;
    this.counts.corruptBytes += bytes;
    this.onProblem(
      new KytosEventsError(
        ErrorCode.DecodeFailed,
        `spool ${path}: a corrupt record; skipped the segment's remaining ${bytes} bytes (their events are lost).`,
      ),
    );
  }

  /** Deletes fully replayed segments and records how far the others are replayed. */
  private async prune(): Promise<void> {
    while (this.segments.length > 0) {
      const head = this.segments[0]!;
      if (head.start < head.size) break;
      // The tail may still receive appends: keep it unless nothing is queued for it.
      const isTail = this.segments.length === 1;
      if (isTail && (this.pendingBytes > 0 || this.flushScheduled)) break;
      this.segments.shift();
      if (isTail && this.tail?.id === head.id) await this.closeTail();
      await unlink(join(this.dir, name(head.id))).catch(() => {});
    }
    await this.saveCursorAsync();
  }

  private cursorJson(): string {
    const starts: Record<string, number> = {};
    for (const s of this.segments) if (s.start > 0) starts[String(s.id)] = s.start;
    return JSON.stringify({ starts });
  }

  private saveCursor(): void {
    const path = join(this.dir, CURSOR);
    writeFileSync(`${path}.tmp`, this.cursorJson());
    renameSync(`${path}.tmp`, path);
  }

  private async saveCursorAsync(): Promise<void> {
    const path = join(this.dir, CURSOR);
    try {
      await writeFile(`${path}.tmp`, this.cursorJson());
      renameSync(`${path}.tmp`, path);
    } catch {
      // A stale cursor only means records sent again after a restart (at-least-once).
    }
  }
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let written = 0;
  while (written < data.byteLength) {
    const { bytesWritten } = await handle.write(data, written, data.byteLength - written);
    written += bytesWritten;
  }
}

async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The directory must be writable at start-up, not found read-only on the first outage. */
function prepareDirectory(dir: string): void {
  const probe = join(dir, ".probe");
  try {
    mkdirSync(dir, { recursive: true });
    closeSync(openSync(probe, "w"));
    unlinkSync(probe);
  } catch (err) {
    throw new KytosEventsError(
      ErrorCode.ConfigInvalid,
      `spool dir "${dir}" is not writable (${(err as Error).message}): give the producer a writable directory.`,
      { cause: err },
    );
  }
}
