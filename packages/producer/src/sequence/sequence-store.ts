// Where a producer keeps its per-source sequence between runs, so a restart continues the
// numbering instead of resetting it (consumers read a reset as a new source, a jump as a gap).
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { ErrorCode, KytosEventsError } from "@kytos-events/core";

export interface SequenceStore {
  /**
   * How many numbers the producer may hand out per `save`: it saves `last + reserveAhead`
   * before using any of them, so after a crash the next run starts above every number used
   * (consumers see a gap, never a reused number). A clean close saves the exact last one.
   */
  readonly reserveAhead: number;
  /** The last sequence number that may have been used for `source`; 0n when none. */
  load(source: string): bigint;
  /** Remembers `last` for `source`. Called on the publish path once per `reserveAhead` events: keep it quick. */
  save(source: string, last: bigint): void;
}

export interface FileSequenceStoreOptions {
  /** Numbers reserved per file write. Default 1000 (one small write per 1000 events). */
  readonly reserveAhead?: number;
}

const invalid = (message: string) => new KytosEventsError(ErrorCode.ConfigInvalid, message);

/**
 * A sequence store in one small JSON file (`{"source": …, "last": "…"}`), replaced atomically
 * (write to a temporary file, then rename) so a crash mid-write leaves the previous value.
 */
export function createFileSequenceStore(path: string, options: FileSequenceStoreOptions = {}): SequenceStore {
  const reserveAhead = options.reserveAhead ?? 1000;
  if (typeof path !== "string" || path.length === 0) {
    throw invalid("file sequence store: path must be a non-empty string.");
  }
  if (!Number.isInteger(reserveAhead) || reserveAhead < 1) {
    throw invalid(`file sequence store: reserveAhead must be a positive integer, got ${reserveAhead}.`);
  }
  return {
    reserveAhead,
    load(source) {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0n;
        throw invalid(`sequence file "${path}" cannot be read: ${(err as Error).message}.`);
      }
      let stored: { source?: unknown; last?: unknown };
      try {
        stored = JSON.parse(text) as typeof stored;
        if (typeof stored.last !== "string" || !/^\d+$/.test(stored.last))
          throw new Error("no decimal `last`");
      } catch (err) {
        throw invalid(
          `sequence file "${path}" is not a sequence record (${(err as Error).message}): fix it, or delete it ` +
            "to restart the numbering at 1 (consumers will see the source restart).",
        );
      }
      if (stored.source !== source) {
        throw invalid(
          `sequence file "${path}" belongs to source "${String(stored.source)}", not "${source}": ` +
            "give each source its own file.",
        );
      }
      return BigInt(stored.last as string);
    },
    save(source, last) {
      const temporary = `${path}.tmp`;
      writeFileSync(temporary, JSON.stringify({ source, last: last.toString() }));
      renameSync(temporary, path);
    },
  };
}
