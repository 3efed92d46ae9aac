// The helpers every generated binary encoder shares, printed verbatim into the generated file
// so it depends on nothing but @bufbuild/protobuf's types. They implement the two passes:
// pass 1 sizes each message and records, in the order pass 2 will need them, the byte length
// of every length-delimited value (nested message, string, packed list, map entry); pass 2
// writes into a buffer of exactly the total size, reading those lengths back. Each helper
// mirrors what protobuf-es's toBinary does for the same value, and throws UNSUPPORTED for a
// value outside the generated types so the caller falls back to toBinary itself.
export const encoderRuntime = `// Specialised binary encoder (protoc-gen-kytos): a size pass and a write pass per message,
// writing exactly toBinary's bytes. The shared helpers come first, then one size_ and one
// write_ function per message, then the exported entry points.

// A value outside the generated types (a number in an int64 field, 1.5 in an int32 field, a
// foreign message): the specialised encoder declines and toBinary handles it, so the bytes
// (or the error) are toBinary's. One shared object: declining costs no stack trace.
const UNSUPPORTED = new Error("value outside the types the specialised encoder handles");
function unsupported(): never {
  throw UNSUPPORTED;
}

// Lengths recorded by pass 1 in the order pass 2 consumes them. Reused across calls (an
// encode is synchronous and never re-enters), grown when a message needs more.
let sizes = new Int32Array(256);
let sizeCount = 0;
let sizeRead = 0;

/** A slot for a length known only after its contents are sized (pre-order, as pass 2 reads). */
function reserve(): number {
  if (sizeCount === sizes.length) {
    const grown = new Int32Array(sizes.length * 2);
    grown.set(sizes);
    sizes = grown;
  }
  return sizeCount++;
}

function record(length: number): void {
  const slot = reserve();
  sizes[slot] = length;
}

// The keys of each map and JSON object, listed once by pass 1 and reused by pass 2 (same order).
const keyLists: string[][] = [];
const EMPTY_KEYS: string[] = [];
let keyCount = 0;
let keyRead = 0;

function keysOf(o: object): string[] {
  const keys = Object.keys(o);
  keyLists[keyCount++] = keys;
  return keys;
}

function nextKeys(): string[] {
  return keyLists[keyRead++]!;
}

/** Writes the next recorded length as a varint (most fit one byte). */
function writeLength(b: Uint8Array, p: number): number {
  const n = sizes[sizeRead++]!;
  if (n < 0x80) {
    b[p] = n;
    return p + 1;
  }
  return writeVarint(n, b, p);
}

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

function writeVarint(v: number, b: Uint8Array, p: number): number {
  while (v > 0x7f) {
    b[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  b[p++] = v;
  return p;
}

/** An unsigned 64-bit varint from its two unsigned 32-bit halves. */
function writeVarint64(lo: number, hi: number, b: Uint8Array, p: number): number {
  while (hi !== 0 || lo > 0x7f) {
    b[p++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  b[p++] = lo;
  return p;
}

function int32Size(v: number): number {
  if ((v | 0) !== v) unsupported();
  // A negative int32 is sign-extended to 64 bits on the wire: always 10 bytes.
  return v < 0 ? 10 : varintSize(v);
}

function writeInt32(v: number, b: Uint8Array, p: number): number {
  return v < 0 ? writeVarint64(v >>> 0, 0xffffffff, b, p) : writeVarint(v, b, p);
}

function uint32Size(v: number): number {
  if (v >>> 0 !== v) unsupported();
  return varintSize(v);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function int64Size(v: bigint): number {
  if (typeof v !== "bigint" || v < INT64_MIN || v > INT64_MAX) unsupported();
  return varint64Size(v);
}

function uint64Size(v: bigint): number {
  if (typeof v !== "bigint" || v < 0n || v > UINT64_MAX) unsupported();
  return varint64Size(v);
}

function varint64Size(v: bigint): number {
  if (v < 0n) return 10;
  if (v <= 0xffffffffn) return varintSize(Number(v));
  return Math.ceil((64 - Math.clz32(Number(v >> 32n))) / 7);
}

function writeInt64(v: bigint, b: Uint8Array, p: number): number {
  if (v >= 0n && v <= 0xffffffffn) return writeVarint(Number(v), b, p);
  const u = BigInt.asUintN(64, v);
  return writeVarint64(Number(u & 0xffffffffn), Number(u >> 32n), b, p);
}

const float64 = new Float64Array(1);
const float64Bytes = new Uint8Array(float64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeDouble(v: number, b: Uint8Array, p: number): number {
  float64[0] = v;
  if (littleEndian) {
    for (let i = 0; i < 8; i++) b[p + i] = float64Bytes[i]!;
  } else {
    for (let i = 0; i < 8; i++) b[p + i] = float64Bytes[7 - i]!;
  }
  return p + 8;
}

/** UTF-8 length as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
function utf8Length(s: string): number {
  const n = s.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      bytes += 2;
      if (d >= 0xdc00 && d < 0xe000) i++;
    } else bytes += 2;
  }
  return bytes;
}

// Under Node.js, Buffer measures a string's UTF-8 length and copies ASCII natively, several
// times faster than a JavaScript loop once a string is longer than a few characters. Elsewhere
// the loops below do the same work.
interface NodeBufferApi {
  byteLength(s: string, encoding: "utf8"): number;
  prototype: { latin1Write(this: Uint8Array, s: string, offset: number, length: number): number };
}
const nodeBuffer = (globalThis as { Buffer?: NodeBufferApi }).Buffer;
const nativeByteLength = nodeBuffer?.byteLength;
const nativeLatin1Write = nodeBuffer?.prototype.latin1Write;
// Below these lengths the loops beat the native call's fixed cost (measured on Node 20).
const NATIVE_LENGTH_FROM = 9;
const NATIVE_COPY_FROM = 33;

/** Prefix plus bytes of a string; records its byte length for pass 2. */
function stringSize(v: string): number {
  if (typeof v !== "string") unsupported();
  const n = v.length < NATIVE_LENGTH_FROM || nativeByteLength === undefined ? utf8Length(v) : nativeByteLength(v, "utf8");
  record(n);
  return varintSize(n) + n;
}

const textEncoder = new TextEncoder();

function writeString(v: string, b: Uint8Array, p: number): number {
  const n = sizes[sizeRead++]!;
  if (n < 0x80) b[p++] = n;
  else p = writeVarint(n, b, p);
  // Byte length equal to UTF-16 length means ASCII: each code unit is its byte.
  if (n === v.length) {
    if (n < NATIVE_COPY_FROM || nativeLatin1Write === undefined) {
      for (let i = 0; i < n; i++) b[p + i] = v.charCodeAt(i);
    } else {
      nativeLatin1Write.call(b, v, p, n);
    }
    return p + n;
  }
  textEncoder.encodeInto(v, b.subarray(p, p + n));
  return p + n;
}

function bytesSize(v: Uint8Array): number {
  if (!(v instanceof Uint8Array)) unsupported();
  return varintSize(v.byteLength) + v.byteLength;
}

function writeBytes(v: Uint8Array, b: Uint8Array, p: number): number {
  p = writeVarint(v.byteLength, b, p);
  b.set(v, p);
  return p + v.byteLength;
}

/** Unknown fields are written after the known ones, tag then the raw data, as toBinary does. */
function unknownSize(u: readonly { no: number; wireType: number; data: Uint8Array }[]): number {
  let n = 0;
  for (let i = 0; i < u.length; i++) {
    const f = u[i]!;
    if (!(f.data instanceof Uint8Array)) unsupported();
    n += uint32Size(((f.no << 3) | f.wireType) >>> 0) + f.data.byteLength;
  }
  return n;
}

function writeUnknown(u: readonly { no: number; wireType: number; data: Uint8Array }[], b: Uint8Array, p: number): number {
  for (let i = 0; i < u.length; i++) {
    const f = u[i]!;
    p = writeVarint(((f.no << 3) | f.wireType) >>> 0, b, p);
    b.set(f.data, p);
    p += f.data.byteLength;
  }
  return p;
}

// google.protobuf.Struct fields hold plain JSON (JsonObject) in the generated types. toBinary
// converts them to Struct/Value/ListValue messages first; these write the same bytes straight
// from the JSON. Tags: Struct.fields = 1 (entry key = 1, value = 2); Value.null_value = 1
// (varint), number_value = 2 (double), string_value = 3, bool_value = 4, struct_value = 5,
// list_value = 6; ListValue.values = 1.

/** Struct body of a JSON object; anything but a non-array object is an empty Struct, as in toBinary. */
function jsonObjectSize(o: JsonObject | undefined): number {
  let n = 0;
  if (o === null || typeof o !== "object" || Array.isArray(o)) return n;
  const keys = keysOf(o);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    // Pre-order, as pass 2 reads: entry length, key length, value length, the value's own.
    const entry = reserve();
    const keySize = stringSize(key);
    const value = reserve();
    const valueSize = jsonValueSize(o[key]);
    sizes[value] = valueSize;
    const entrySize = 1 + keySize + 1 + varintSize(valueSize) + valueSize;
    sizes[entry] = entrySize;
    n += 1 + varintSize(entrySize) + entrySize;
  }
  return n;
}

function writeJsonObject(o: JsonObject | undefined, b: Uint8Array, p: number): number {
  if (o === null || typeof o !== "object" || Array.isArray(o)) return p;
  const keys = nextKeys();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    b[p++] = 0x0a;
    p = writeLength(b, p);
    b[p++] = 0x0a;
    p = writeString(key, b, p);
    b[p++] = 0x12;
    p = writeLength(b, p);
    p = writeJsonValue(o[key], b, p);
  }
  return p;
}

/** Value body of a JSON value; undefined (or a bigint, a function) is an empty Value, as in toBinary. */
function jsonValueSize(v: JsonValue | undefined): number {
  switch (typeof v) {
    case "number":
      return 9;
    case "string":
      return 1 + stringSize(v);
    case "boolean":
      return 2;
    case "object": {
      if (v === null) return 2;
      const slot = reserve();
      const n = Array.isArray(v) ? jsonListSize(v) : jsonObjectSize(v);
      sizes[slot] = n;
      return 1 + varintSize(n) + n;
    }
  }
  return 0;
}

function writeJsonValue(v: JsonValue | undefined, b: Uint8Array, p: number): number {
  switch (typeof v) {
    case "number":
      b[p++] = 0x11;
      return writeDouble(v, b, p);
    case "string":
      b[p++] = 0x1a;
      return writeString(v, b, p);
    case "boolean":
      b[p++] = 0x20;
      b[p++] = v ? 1 : 0;
      return p;
    case "object":
      if (v === null) {
        b[p++] = 0x08;
        b[p++] = 0;
        return p;
      }
      b[p++] = Array.isArray(v) ? 0x32 : 0x2a;
      p = writeLength(b, p);
      return Array.isArray(v) ? writeJsonList(v, b, p) : writeJsonObject(v, b, p);
  }
  return p;
}

function jsonListSize(a: JsonValue[]): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const slot = reserve();
    const k = jsonValueSize(a[i]);
    sizes[slot] = k;
    n += 1 + varintSize(k) + k;
  }
  return n;
}

function writeJsonList(a: JsonValue[], b: Uint8Array, p: number): number {
  for (let i = 0; i < a.length; i++) {
    b[p++] = 0x0a;
    p = writeLength(b, p);
    p = writeJsonValue(a[i], b, p);
  }
  return p;
}
`;
