// Field tags as the bytes the generated encoders write: the tag is known at generation time,
// so the generated code stores its varint bytes directly instead of encoding it per message.

export const WireType = { Varint: 0, Bit64: 1, LengthDelimited: 2, Bit32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

/** The varint bytes of a field's tag: (field number << 3 | wire type). */
export function tagBytes(fieldNo: number, wireType: WireType): number[] {
  let v = ((fieldNo << 3) | wireType) >>> 0;
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

/** Statements that write a tag's bytes at `b[p]` and advance `p`. */
export function writeTagCode(fieldNo: number, wireType: WireType): string {
  return tagBytes(fieldNo, wireType)
    .map((byte) => `b[p++] = 0x${byte.toString(16).padStart(2, "0")};`)
    .join(" ");
}
