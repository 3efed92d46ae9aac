// Tags as the generated encoders write them: the varint of (field number << 3 | wire type).
import { describe, expect, it } from "vitest";
import { tagBytes, WireType, writeTagCode } from "./wire-tag.js";

describe("wire tags", () => {
  it("encodes one-byte and multi-byte tags as varints", () => {
    expect(tagBytes(1, WireType.LengthDelimited)).toEqual([0x0a]);
    expect(tagBytes(15, WireType.Varint)).toEqual([0x78]);
    expect(tagBytes(16, WireType.Varint)).toEqual([0x80, 0x01]);
    expect(tagBytes(101, WireType.LengthDelimited)).toEqual([0xaa, 0x06]);
    expect(tagBytes(2 ** 29 - 1, WireType.Bit32)).toEqual([0xfd, 0xff, 0xff, 0xff, 0x0f]);
  });

  it("prints the statements that store a tag's bytes", () => {
    expect(writeTagCode(99, WireType.LengthDelimited)).toBe("b[p++] = 0x9a; b[p++] = 0x06;");
  });
});
