// Event ids: UUIDv7 (RFC 9562) — unique, and sortable by creation time, so logs and stores
// index them well. Within one millisecond the 12-bit rand_a field is a counter, so ids made by
// one process are strictly increasing; random bits come from a pooled buffer to keep the
// publish path free of per-call allocations beyond the string itself.
import { getRandomValues } from "node:crypto";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const POOL_IDS = 256;
const pool = new Uint8Array(POOL_IDS * 8);
let poolIndex = POOL_IDS;
let lastMs = -1;
let counter = 0;

function nextRandom(): number {
  if (poolIndex === POOL_IDS) {
    getRandomValues(pool);
    poolIndex = 0;
  }
  return poolIndex++ * 8;
}

/** A new UUIDv7 string; `now` is injectable for tests. */
export function uuidv7(now: number = Date.now()): string {
  let ms = now;
  if (ms <= lastMs) {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      // Counter exhausted within one millisecond: borrow the next one, keeping order.
      ms = lastMs + 1;
      counter = 0;
    }
  } else {
    counter = 0;
  }
  lastMs = ms;
  const r = nextRandom();
  const hi = Math.floor(ms / 2 ** 16);
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

/** The creation time in milliseconds encoded in a UUIDv7. */
export function uuidv7Time(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
