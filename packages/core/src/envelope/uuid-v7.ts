// Event ids: UUIDv7 (RFC 9562, section 5.7) — unique, and sortable by creation time, so logs
// and stores index them well. Layout: 48-bit Unix milliseconds, version 7, a 12-bit counter
// (rand_a used as the "fixed bit-length dedicated counter" of section 6.2, method 1), variant
// 0b10, 62 random bits. Within one millisecond the counter counts up, so ids made by one
// generator are strictly increasing even when the clock stands still or steps back; random
// bits come from a pooled buffer so an id costs no allocation beyond its string.
import { getRandomValues } from "node:crypto";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const POOL_IDS = 256;
const MAX_COUNTER = 0xfff;
const MAX_MS = 2 ** 48 - 1;

export class UuidV7Generator {
  private readonly pool = new Uint8Array(POOL_IDS * 8);
  private poolIndex = POOL_IDS;
  private lastMs = -1;
  private counter = 0;

  /** A new id; `now` (milliseconds since the epoch) is injectable for tests. */
  next(now: number = Date.now()): string {
    if (!(now >= 0 && now <= MAX_MS))
      throw new RangeError(`UUIDv7 time must be within 0..2^48-1 ms, got ${now}`);
    let ms = Math.floor(now);
    if (ms <= this.lastMs) {
      // Same millisecond, or the clock stepped back: stay on the last one and count.
      ms = this.lastMs;
      if (++this.counter > MAX_COUNTER) {
        // Counter exhausted within one millisecond: borrow the next one, keeping order.
        ms++;
        this.counter = 0;
      }
    } else {
      this.counter = 0;
    }
    this.lastMs = ms;
    return this.format(ms, this.counter, this.random());
  }

  private random(): number {
    if (this.poolIndex === POOL_IDS) {
      getRandomValues(this.pool);
      this.poolIndex = 0;
    }
    return this.poolIndex++ * 8;
  }

  private format(ms: number, counter: number, r: number): string {
    const pool = this.pool;
    const hi = Math.floor(ms / 2 ** 16); // top 32 bits
    const lo = ms % 2 ** 16;
    return (
      HEX[(hi >>> 24) & 0xff]! +
      HEX[(hi >>> 16) & 0xff]! +
      HEX[(hi >>> 8) & 0xff]! +
      HEX[hi & 0xff]! +
      "-" +
      HEX[(lo >>> 8) & 0xff]! +
      HEX[lo & 0xff]! +
      "-" +
      HEX[0x70 | (counter >>> 8)]! +
      HEX[counter & 0xff]! +
      "-" +
      HEX[0x80 | (pool[r]! & 0x3f)]! +
      HEX[pool[r + 1]!]! +
      "-" +
      HEX[pool[r + 2]!]! +
      HEX[pool[r + 3]!]! +
      HEX[pool[r + 4]!]! +
      HEX[pool[r + 5]!]! +
      HEX[pool[r + 6]!]! +
      HEX[pool[r + 7]!]!
    );
  }
}

const shared = new UuidV7Generator();

/** A new UUIDv7 string from this process's generator (strictly increasing within the process). */
export function uuidv7(now?: number): string {
  return shared.next(now);
}

/** The creation time in milliseconds encoded in a UUIDv7. */
export function uuidv7Time(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
