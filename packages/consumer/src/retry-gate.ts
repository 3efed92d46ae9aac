// Keeps per-key order across transport retries. A failed record goes back to the transport
// with `retry({delayMs})` (its in-flight slot is freed, its position stays uncommitted) and
// its key closes: every later record of the key is handed back too, due just after the one
// before it, and the key only runs the event at the head of that line. Handing followers
// back instead of holding them means records queued behind a failing key can never fill the
// in-flight window the transport needs to redeliver the failed one (a deadlock).
//
// An event that does not come back well after it was due (its partition moved to another
// group member, say) is given up on and the next in line takes its place: that member
// redelivers it, in order, from the last committed position.

interface Waiting {
  readonly eventId: string;
  dueAt: number;
}

export type GateVerdict =
  /** The key is open, or this event is next in its line: run it. */
  | { readonly kind: "run" }
  /** An earlier event of this key is waiting for redelivery: hand this one back for `delayMs`. */
  | { readonly kind: "defer"; readonly delayMs: number };

const RUN: GateVerdict = { kind: "run" };

/** Spacing between handed-back events of one key, so they come back in order. */
const SPACING_MS = 5;

export class RetryGate {
  /** Per closed key, the events out for redelivery in the order they must run. */
  private readonly lines = new Map<string, Waiting[]>();

  constructor(
    /** How long past its due time an event may take to come back before it is given up on. */
    private readonly graceMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keys currently closed. */
  get size(): number {
    return this.lines.size;
  }

  /** The event failed and was handed back for `delayMs`: it runs first when it returns. */
  failed(key: string, eventId: string, delayMs: number): void {
    const line = this.lines.get(key) ?? [];
    const at = line.findIndex((w) => w.eventId === eventId);
    if (at >= 0) line.splice(at, 1);
    line.unshift({ eventId, dueAt: this.now() + delayMs });
    this.lines.set(key, line);
  }

  /** What to do with a record of `key` carrying `eventId` that is about to run. */
  check(key: string, eventId: string): GateVerdict {
    const line = this.lines.get(key);
    if (!line) return RUN;
    const now = this.now();
    this.expire(line, now);
    if (line.length === 0) {
      this.lines.delete(key);
      return RUN;
    }
    if (line[0]!.eventId === eventId) {
      line.shift();
      if (line.length === 0) this.lines.delete(key);
      return RUN;
    }
    let at = line.findIndex((w) => w.eventId === eventId);
    if (at < 0) {
      line.push({ eventId, dueAt: 0 });
      at = line.length - 1;
    }
    // Due just after the one before it; later ones that come back early are handed back again.
    const entry = line[at]!;
    entry.dueAt = Math.max(entry.dueAt, line[at - 1]!.dueAt + SPACING_MS, now);
    return { kind: "defer", delayMs: entry.dueAt - now };
  }

  private expire(line: Waiting[], now: number): void {
    while (line.length > 0 && now > line[0]!.dueAt + this.graceMs) line.shift();
  }
}
