// Test helper: seeded random messages of any schema, built by walking its descriptor, with the
// values encoders get wrong (empty and non-ASCII strings, long strings with multi-byte length
// prefixes, negative int32/int64, max uint64, NaN and -0 doubles, unknown enum numbers, empty
// nested messages, lists and maps, nested JSON in Struct fields, unknown fields). In
// round-trip mode it leaves out what a decode cannot give back (lone surrogates, undefined
// inside JSON), so decoding the bytes must give an equal message.
import {
  create,
  type DescField,
  type DescMessage,
  type JsonValue,
  type MessageShape,
  ScalarType,
} from "@bufbuild/protobuf";

export interface RandomOptions {
  /** Only values that survive encode → decode unchanged. */
  readonly roundTrip: boolean;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same messages on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAX_DEPTH = 4;

export class RandomMessages {
  constructor(
    private readonly rnd: () => number,
    private readonly options: RandomOptions,
  ) {}

  message<D extends DescMessage>(desc: D, depth = 0): MessageShape<D> {
    const init: Record<string, unknown> = {};
    const oneofsDone = new Set<unknown>();
    for (const field of desc.fields) {
      if (field.oneof) {
        if (oneofsDone.has(field.oneof)) continue;
        oneofsDone.add(field.oneof);
        const pick = this.int(field.oneof.fields.length + 1);
        const chosen = field.oneof.fields[pick];
        init[field.oneof.localName] =
          chosen === undefined
            ? { case: undefined }
            : { case: chosen.localName, value: this.single(chosen, depth) };
        continue;
      }
      const value = this.field(field, depth);
      if (value !== undefined) init[field.localName] = value;
    }
    const message = create(desc, init as never) as MessageShape<D>;
    if (this.chance(0.1)) message.$unknown = this.unknownFields();
    return message;
  }

  private field(field: DescField, depth: number): unknown {
    switch (field.fieldKind) {
      case "list":
        return this.items(depth, () => this.element(field, depth));
      case "map": {
        const record: Record<string, unknown> = {};
        for (let i = this.int(depth >= MAX_DEPTH ? 1 : 4); i > 0; i--) {
          record[this.string()] = this.element(field, depth);
        }
        return record;
      }
      case "message":
        return depth >= MAX_DEPTH || this.chance(0.3) ? undefined : this.single(field, depth);
      default:
        // Half the time leave it unset (zero value, or undefined when optional), sometimes
        // set it to its zero value explicitly.
        return this.chance(0.5) ? undefined : this.single(field, depth);
    }
  }

  /** A value of a singular or oneof field. */
  private single(field: DescField, depth: number): unknown {
    if (field.fieldKind === "enum") return this.enumNumber(field.enum.values.map((v) => v.number));
    if (field.fieldKind === "scalar") return this.scalar(field.scalar);
    if (field.fieldKind === "message") return this.messageValue(field.message, field, depth);
    throw new Error(`not a singular field: ${field.name}`);
  }

  private element(field: DescField, depth: number): unknown {
    if (field.fieldKind === "list") {
      if (field.listKind === "scalar") return this.scalar(field.scalar);
      if (field.listKind === "enum") return this.enumNumber(field.enum.values.map((v) => v.number));
      return this.messageValue(field.message, field, depth);
    }
    if (field.fieldKind === "map") {
      if (field.mapKind === "scalar") return this.scalar(field.scalar);
      if (field.mapKind === "enum") return this.enumNumber(field.enum.values.map((v) => v.number));
      return this.messageValue(field.message, field, depth);
    }
    throw new Error(`not a repeated field: ${field.name}`);
  }

  private messageValue(message: DescMessage, field: DescField, depth: number): unknown {
    // google.protobuf.Struct fields hold plain JSON in the generated types.
    if (message.typeName === "google.protobuf.Struct" && field.parent.typeName !== "google.protobuf.Value") {
      return this.jsonObject(depth + 1);
    }
    return this.message(message, depth + 1);
  }

  private items(depth: number, item: () => unknown): unknown[] {
    const out: unknown[] = [];
    for (let i = this.int(depth >= MAX_DEPTH ? 1 : 4); i > 0; i--) out.push(item());
    return out;
  }

  private jsonObject(depth: number): Record<string, JsonValue> {
    const out: Record<string, JsonValue> = {};
    for (let i = this.int(depth >= MAX_DEPTH ? 1 : 5); i > 0; i--) out[this.string()] = this.json(depth + 1);
    return out;
  }

  private json(depth: number): JsonValue {
    const kinds = depth >= MAX_DEPTH ? 4 : 6;
    switch (this.int(this.options.roundTrip ? kinds : kinds + 1)) {
      case 0:
        return null;
      case 1:
        return this.chance(0.5);
      case 2:
        return this.double();
      case 3:
        return this.string();
      case 4:
        return this.items(depth, () => this.json(depth + 1)) as JsonValue[];
      case 5:
        return this.jsonObject(depth + 1);
      default:
        // toBinary writes undefined inside JSON as an empty Value (decoded as null).
        return undefined as unknown as JsonValue;
    }
  }

  private scalar(type: ScalarType): unknown {
    switch (type) {
      case ScalarType.STRING:
        return this.string();
      case ScalarType.BOOL:
        return this.chance(0.5);
      case ScalarType.DOUBLE:
        return this.double();
      case ScalarType.INT32:
        return this.pick([0, 1, -1, 127, 128, -128, 2 ** 31 - 1, -(2 ** 31), this.int(2 ** 32) - 2 ** 31]);
      case ScalarType.UINT32:
        return this.pick([0, 1, 127, 128, 16383, 16384, 2 ** 32 - 1, this.int(2 ** 32)]);
      case ScalarType.INT64:
        return this.pick([
          0n,
          1n,
          -1n,
          2n ** 63n - 1n,
          -(2n ** 63n),
          2n ** 32n,
          2n ** 32n - 1n,
          -(2n ** 35n),
          this.bigint(true),
        ]);
      case ScalarType.UINT64:
        return this.pick([0n, 1n, 127n, 128n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 32n, this.bigint(false)]);
      case ScalarType.BYTES:
        return Uint8Array.from({ length: this.int(6) }, () => this.int(256));
      default:
        throw new Error(`no random values for scalar type ${ScalarType[type]}`);
    }
  }

  private string(): string {
    const ascii = () => String.fromCharCode(...Array.from({ length: this.int(24) }, () => 32 + this.int(95)));
    const choices: (() => string)[] = [
      () => "",
      ascii,
      ascii,
      () => "héllo wörld",
      () => "日本語のリンク",
      () => `🚀 ${ascii()} 🛰️`,
      () => "x".repeat(65 + this.int(200)), // past the ASCII fast path, 2-byte length prefix
      () => "\u07ff\u0800\uffff\u{10000}\u{10ffff}",
    ];
    // 18,000 bytes (a 3-byte length prefix), rarely: it makes messages large.
    if (this.chance(0.01)) return "é".repeat(9000);
    if (!this.options.roundTrip) {
      // Lone surrogates are written as U+FFFD, in a short and in a long string.
      choices.push(() => "a\ud800b\udc00");
      choices.push(() => `lone \ud800 surrogates \udc00 in a longer string ${ascii()}`);
    }
    return this.pick(choices)();
  }

  private double(): number {
    return this.pick([
      0,
      -0,
      Number.NaN,
      Infinity,
      -Infinity,
      5e-324,
      1.5,
      -2.25e300,
      Number.MAX_VALUE,
      12500000000,
      this.rnd() * 1e6 - 5e5,
    ]);
  }

  private bigint(signed: boolean): bigint {
    const v = (BigInt(this.int(2 ** 32)) << 32n) | BigInt(this.int(2 ** 32));
    return signed ? BigInt.asIntN(64, v) : v;
  }

  private enumNumber(known: number[]): number {
    // Proto3 enums are open: numbers the schema does not name are kept and written too.
    return this.chance(0.15) ? this.pick([7777, -3]) : this.pick(known);
  }

  private unknownFields(): { no: number; wireType: number; data: Uint8Array }[] {
    return [
      { no: 5001, wireType: 0, data: new Uint8Array([0x96, 0x01]) },
      { no: 5002, wireType: 2, data: new Uint8Array([0x02, 0x61, 0x62]) },
    ].slice(0, 1 + this.int(2));
  }

  private int(below: number): number {
    return Math.floor(this.rnd() * below);
  }

  private chance(p: number): boolean {
    return this.rnd() < p;
  }

  private pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)] as T;
  }
}
