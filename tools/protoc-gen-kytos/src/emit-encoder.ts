// Prints the specialised binary encoder of the envelope: for every message the envelope can
// carry, a size function (pass 1) and a write function (pass 2) with the field order, presence
// rules, tags and value encodings fixed at generation time, so encoding walks no descriptors
// and allocates only the output buffer. The bytes are toBinary's (the schema tests compare them
// on every fixture and on random messages); values outside the generated types make it decline
// and the exported entry point falls back to toBinary.
import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { isWrapperDesc } from "@bufbuild/protobuf/wkt";
import type { GeneratedFile, Printable, Schema } from "@bufbuild/protoplugin";
import { encoderRuntime } from "./encoder-runtime.js";
import { tagBytes, WireType, writeTagCode } from "./wire-tag.js";

export const encoderFileName = "kytos/events/v1/envelope_binary.ts";

// google.protobuf.FeatureSet.FieldPresence
const EXPLICIT = 1;
const IMPLICIT = 2;
// google.protobuf.Edition.EDITION_PROTO3
const EDITION_PROTO3 = 999;

export function emitEncoder(schema: Schema, envelope: DescMessage): void {
  const messages = reachableMessages(envelope);
  const f = schema.generateFile(encoderFileName);
  f.preamble(envelope.file);
  printRuntime(f);
  for (const message of messages) {
    f.print();
    printSize(f, message);
    f.print();
    printWrite(f, message);
  }
  f.print();
  printEntryPoints(f, envelope);
}

/** Every message the envelope's encoder must write, envelope first; fails on what it cannot write. */
export function reachableMessages(root: DescMessage): DescMessage[] {
  const found: DescMessage[] = [];
  const visit = (message: DescMessage) => {
    if (found.includes(message)) return;
    checkSupported(message);
    found.push(message);
    for (const field of message.fields) {
      const child = childMessage(field);
      if (child && !usesJson(field)) visit(child);
    }
  };
  visit(root);
  return found;
}

function checkSupported(message: DescMessage): void {
  // proto3 only: explicit presence then means "not undefined" (proto2 and editions keep
  // defaults on the prototype, which toBinary tells apart with hasOwnProperty).
  if (message.file.edition !== EDITION_PROTO3) {
    throw new Error(`${message.typeName}: the specialised encoder handles proto3 files only`);
  }
  for (const field of message.fields) {
    const where = `${message.typeName}.${field.name}`;
    if (field.presence !== EXPLICIT && field.presence !== IMPLICIT) {
      throw new Error(`${where}: required fields are not handled by the specialised encoder`);
    }
    if (field.fieldKind === "map" && field.mapKey !== ScalarType.STRING) {
      throw new Error(`${where}: the specialised encoder handles string map keys only`);
    }
    const child = childMessage(field);
    const delimited =
      field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message")
        ? field.delimitedEncoding
        : false;
    if (delimited) {
      throw new Error(`${where}: delimited (group) encoding is not handled by the specialised encoder`);
    }
    if (child && field.fieldKind === "message" && !field.oneof && isWrapperDesc(child)) {
      throw new Error(`${where}: wrapper types (unboxed in the generated types) are not handled`);
    }
    const scalar = scalarOf(field);
    if (scalar !== undefined && !(scalar in scalarCode)) {
      throw new Error(
        `${where}: scalar type ${ScalarType[scalar]} is not handled by the specialised encoder`,
      );
    }
  }
}

function childMessage(field: DescField): DescMessage | undefined {
  switch (field.fieldKind) {
    case "message":
      return field.message;
    case "list":
      return field.listKind === "message" ? field.message : undefined;
    case "map":
      return field.mapKind === "message" ? field.message : undefined;
    default:
      return undefined;
  }
}

/** google.protobuf.Struct is a JsonObject in the generated types, except inside google.protobuf.Value. */
function usesJson(field: DescField): boolean {
  return (
    childMessage(field)?.typeName === "google.protobuf.Struct" &&
    field.parent.typeName !== "google.protobuf.Value"
  );
}

/** The scalar type a field's values are written as (enums as int32), if not a message. */
function scalarOf(field: DescField): ScalarType | undefined {
  switch (field.fieldKind) {
    case "scalar":
      return field.scalar;
    case "enum":
      return ScalarType.INT32;
    case "list":
      return field.listKind === "scalar"
        ? field.scalar
        : field.listKind === "enum"
          ? ScalarType.INT32
          : undefined;
    case "map":
      return field.mapKind === "scalar"
        ? field.scalar
        : field.mapKind === "enum"
          ? ScalarType.INT32
          : undefined;
    default:
      return undefined;
  }
}

interface ScalarCode {
  readonly wireType: WireType;
  /** Bytes of the value (after the tag); validates it. */
  readonly size: (v: string) => string;
  readonly write: (v: string) => string;
}

const scalarCode: Partial<Record<ScalarType, ScalarCode>> = {
  [ScalarType.STRING]: {
    wireType: WireType.LengthDelimited,
    size: (v) => `stringSize(${v})`,
    write: (v) => `p = writeString(${v}, b, p);`,
  },
  [ScalarType.BYTES]: {
    wireType: WireType.LengthDelimited,
    size: (v) => `bytesSize(${v})`,
    write: (v) => `p = writeBytes(${v}, b, p);`,
  },
  [ScalarType.BOOL]: { wireType: WireType.Varint, size: () => "1", write: (v) => `b[p++] = ${v} ? 1 : 0;` },
  [ScalarType.DOUBLE]: {
    wireType: WireType.Bit64,
    size: () => "8",
    write: (v) => `p = writeDouble(${v}, b, p);`,
  },
  [ScalarType.INT32]: {
    wireType: WireType.Varint,
    size: (v) => `int32Size(${v})`,
    write: (v) => `p = writeInt32(${v}, b, p);`,
  },
  [ScalarType.UINT32]: {
    wireType: WireType.Varint,
    size: (v) => `uint32Size(${v})`,
    write: (v) => `p = writeVarint(${v}, b, p);`,
  },
  [ScalarType.INT64]: {
    wireType: WireType.Varint,
    size: (v) => `int64Size(${v})`,
    write: (v) => `p = writeInt64(${v}, b, p);`,
  },
  [ScalarType.UINT64]: {
    wireType: WireType.Varint,
    size: (v) => `uint64Size(${v})`,
    write: (v) => `p = writeInt64(${v}, b, p);`,
  },
};

function codeOf(scalar: ScalarType): ScalarCode {
  const code = scalarCode[scalar];
  if (!code) throw new Error(`unhandled scalar ${ScalarType[scalar]}`);
  return code;
}

const sizeFn = (m: DescMessage) => `size_${m.typeName.replace(/\./g, "_")}`;
const writeFn = (m: DescMessage) => `write_${m.typeName.replace(/\./g, "_")}`;

function tagSize(fieldNo: number, wireType: WireType): number {
  return tagBytes(fieldNo, wireType).length;
}

/** The two halves of one field's code: statements in the size function and in the write function. */
interface FieldCode {
  readonly size: string[];
  readonly write: string[];
}

/**
 * A message value under tag `fieldNo` held in `v`; `acc` is the size accumulator. `maybeMissing`:
 * an undefined value is written as an empty message (toBinary does so in lists, maps, oneofs).
 */
function messageValue(
  field: DescField,
  fieldNo: number,
  v: string,
  acc: string,
  maybeMissing: boolean,
): FieldCode {
  const tag = writeTagCode(fieldNo, WireType.LengthDelimited);
  const ts = tagSize(fieldNo, WireType.LengthDelimited);
  const child = childMessage(field)!;
  const json = usesJson(field);
  const sizeExpr = json
    ? `jsonObjectSize(${v})`
    : maybeMissing
      ? `${v} === undefined ? 0 : ${sizeFn(child)}(${v})`
      : `${sizeFn(child)}(${v})`;
  const writeStmt = json
    ? `p = writeJsonObject(${v}, b, p);`
    : maybeMissing
      ? `if (${v} !== undefined) p = ${writeFn(child)}(${v}, b, p);`
      : `p = ${writeFn(child)}(${v}, b, p);`;
  return {
    size: [
      "const slot = reserve();",
      `const k = ${sizeExpr};`,
      "sizes[slot] = k;",
      `${acc} += ${ts} + varintSize(k) + k;`,
    ],
    write: [tag, "p = writeLength(b, p);", writeStmt],
  };
}

function scalarValue(scalar: ScalarType, fieldNo: number, v: string, acc: string): FieldCode {
  const code = codeOf(scalar);
  return {
    size: [`${acc} += ${tagSize(fieldNo, code.wireType)} + ${code.size(v)};`],
    write: [writeTagCode(fieldNo, code.wireType), code.write(v)],
  };
}

/** The value of a singular (or oneof) field held in `v`, always written. */
function singularValue(field: DescField, v: string, maybeMissing: boolean): FieldCode {
  const scalar = scalarOf(field);
  return scalar === undefined
    ? messageValue(field, field.number, v, "n", maybeMissing)
    : scalarValue(scalar, field.number, v, "n");
}

/** toBinary's implicit-presence test: the field is written when its value is not the zero value. */
function implicitCondition(field: DescField, v: string): string {
  if (field.fieldKind === "enum") return `${v} !== ${field.enum.values[0]?.number ?? 0}`;
  switch (field.fieldKind === "scalar" ? field.scalar : undefined) {
    case ScalarType.BOOL:
      return `${v} !== false`;
    case ScalarType.STRING:
      return `${v} !== ""`;
    case ScalarType.BYTES:
      return `!(${v} instanceof Uint8Array) || ${v}.byteLength > 0`;
    case ScalarType.DOUBLE:
      // Object.is tells -0 (written) from 0 (skipped).
      return `!Object.is(${v}, 0)`;
    case ScalarType.INT64:
    case ScalarType.UINT64:
      return `${v} !== 0n`;
    default:
      return `${v} !== 0`;
  }
}

function singularField(field: DescField): FieldCode {
  const v = `m.${field.localName}`;
  const value = singularValue(field, "v", false);
  const condition = field.presence === IMPLICIT ? implicitCondition(field, "v") : "v !== undefined";
  return {
    size: [`{ const v = ${v}; if (${condition}) {`, ...indent(value.size), "} }"],
    write: [`{ const v = ${v}; if (${condition}) {`, ...indent(value.write), "} }"],
  };
}

function listField(field: DescField & { fieldKind: "list" }): FieldCode {
  const a = `m.${field.localName}`;
  const scalar = scalarOf(field);
  if (scalar !== undefined && field.packed) {
    const code = codeOf(scalar);
    const tag = writeTagCode(field.number, WireType.LengthDelimited);
    const ts = tagSize(field.number, WireType.LengthDelimited);
    return {
      size: [
        `{ const a = ${a}; if (a.length > 0) {`,
        "  let k = 0;",
        `  for (let i = 0; i < a.length; i++) k += ${code.size("a[i]!")};`,
        "  record(k);",
        `  n += ${ts} + varintSize(k) + k;`,
        "} }",
      ],
      write: [
        `{ const a = ${a}; if (a.length > 0) {`,
        `  ${tag}`,
        "  p = writeLength(b, p);",
        `  for (let i = 0; i < a.length; i++) { ${code.write("a[i]!")} }`,
        "} }",
      ],
    };
  }
  const value =
    scalar === undefined
      ? messageValue(field, field.number, "v", "n", true)
      : scalarValue(scalar, field.number, "v!", "n");
  return {
    size: [
      `{ const a = ${a}; for (let i = 0; i < a.length; i++) { const v = a[i];`,
      ...indent(value.size),
      "} }",
    ],
    write: [
      `{ const a = ${a}; for (let i = 0; i < a.length; i++) { const v = a[i];`,
      ...indent(value.write),
      "} }",
    ],
  };
}

function mapField(field: DescField & { fieldKind: "map" }): FieldCode {
  const r = `m.${field.localName}`;
  const scalar = scalarOf(field);
  // The entry is a message: key = 1 (always written), value = 2 (always written).
  const value =
    scalar === undefined ? messageValue(field, 2, "v", "e", true) : scalarValue(scalar, 2, "v!", "e");
  const loop = (keys: string) =>
    `{ const r = ${r}; const keys = ${keys}; for (let i = 0; i < keys.length; i++) { const key = keys[i]!; const v = r[key];`;
  return {
    size: [
      loop("keysOf(r)"),
      "  const entry = reserve();",
      "  let e = 1 + stringSize(key);",
      ...indent([`{`, ...indent(value.size), "}"]),
      "  sizes[entry] = e;",
      `  n += ${tagSize(field.number, WireType.LengthDelimited)} + varintSize(e) + e;`,
      "} }",
    ],
    write: [
      loop("nextKeys()"),
      `  ${writeTagCode(field.number, WireType.LengthDelimited)}`,
      "  p = writeLength(b, p);",
      "  b[p++] = 0x0a;",
      "  p = writeString(key, b, p);",
      ...indent(["{", ...indent(value.write), "}"]),
      "} }",
    ],
  };
}

/** Consecutive members of one oneof (in field-number order) become one switch over its case. */
function oneofRun(fields: readonly DescField[]): FieldCode {
  const oneof = fields[0]!.oneof!;
  const size = [`switch (m.${oneof.localName}.case) {`];
  const write = [`switch (m.${oneof.localName}.case) {`];
  for (const field of fields) {
    const value = singularValue(field, "v", true);
    const head = `  case ${JSON.stringify(field.localName)}: { const v = m.${oneof.localName}.value;`;
    size.push(head, ...indent(indent(value.size)), "    break;", "  }");
    write.push(head, ...indent(indent(value.write)), "    break;", "  }");
  }
  size.push("}");
  write.push("}");
  return { size, write };
}

function fieldCodes(message: DescMessage): FieldCode[] {
  // toBinary writes fields in field-number order, whatever the declaration order.
  const sorted = message.fields.concat().sort((a, b) => a.number - b.number);
  const codes: FieldCode[] = [];
  for (let i = 0; i < sorted.length; ) {
    const field = sorted[i]!;
    if (field.oneof) {
      let j = i;
      while (j < sorted.length && sorted[j]!.oneof === field.oneof) j++;
      codes.push(oneofRun(sorted.slice(i, j)));
      i = j;
      continue;
    }
    if (field.fieldKind === "list") codes.push(listField(field));
    else if (field.fieldKind === "map") codes.push(mapField(field));
    else codes.push(singularField(field));
    i++;
  }
  return codes;
}

function printSize(f: GeneratedFile, message: DescMessage): void {
  f.print(`function ${sizeFn(message)}(m: `, f.importShape(message), "): number {");
  f.print(`  if (m.$typeName !== ${JSON.stringify(message.typeName)}) unsupported();`);
  f.print("  let n = 0;");
  for (const code of fieldCodes(message)) printLines(f, indent(code.size));
  f.print("  if (m.$unknown !== undefined) n += unknownSize(m.$unknown);");
  f.print("  return n;");
  f.print("}");
}

function printWrite(f: GeneratedFile, message: DescMessage): void {
  f.print(
    `function ${writeFn(message)}(m: `,
    f.importShape(message),
    ", b: Uint8Array, p: number): number {",
  );
  for (const code of fieldCodes(message)) printLines(f, indent(code.write));
  f.print("  if (m.$unknown !== undefined) p = writeUnknown(m.$unknown, b, p);");
  f.print("  return p;");
  f.print("}");
}

function printEntryPoints(f: GeneratedFile, envelope: DescMessage): void {
  const shape = f.importShape(envelope);
  f.print(
    f.jsDoc(
      `The specialised encoder's bytes for the ${envelope.name} message, identical to toBinary's; undefined when a value lies outside the generated types (then use toBinary, which writes it or says what is wrong).`,
    ),
  );
  f.print(
    f.export("function", `try${envelope.name}ToBinary`),
    "(message: ",
    shape,
    "): Uint8Array | undefined {",
  );
  f.print("  sizeCount = 0;");
  f.print("  keyCount = 0;");
  f.print("  try {");
  f.print(`    const size = ${sizeFn(envelope)}(message);`);
  f.print("    const bytes = new Uint8Array(size);");
  f.print("    sizeRead = 0;");
  f.print("    keyRead = 0;");
  f.print(`    const end = ${writeFn(envelope)}(message, bytes, 0);`);
  f.print("    // Both passes made the same decisions, or the specialised path is not trusted with it.");
  f.print("    return end === size && sizeRead === sizeCount && keyRead === keyCount ? bytes : undefined;");
  f.print("  } catch {");
  f.print("    return undefined;");
  f.print("  } finally {");
  f.print("    // Hold no key lists of the caller's objects between calls.");
  f.print("    keyLists.fill(EMPTY_KEYS, 0, keyCount);");
  f.print("  }");
  f.print("}");
  f.print();
  f.print(
    f.jsDoc(
      `The ${envelope.name} message in Protobuf binary: the same bytes as toBinary, written by the specialised encoder.`,
    ),
  );
  f.print(
    f.export("function", `${lowerFirst(envelope.name)}ToBinary`),
    "(message: ",
    shape,
    "): Uint8Array {",
  );
  f.print(
    `  return try${envelope.name}ToBinary(message) ?? `,
    f.import("toBinary", "@bufbuild/protobuf"),
    "(",
    f.importSchema(envelope),
    ", message);",
  );
  f.print("}");
}

function printRuntime(f: GeneratedFile): void {
  // The runtime names JsonObject and JsonValue; print them as imports of @bufbuild/protobuf.
  const symbols: Record<string, Printable> = {
    JsonObject: f.import("JsonObject", "@bufbuild/protobuf", true),
    JsonValue: f.import("JsonValue", "@bufbuild/protobuf", true),
  };
  for (const line of encoderRuntime.trimEnd().split("\n")) {
    f.print(
      ...line.split(/\b(JsonObject|JsonValue)\b/).map((part, i) => (i % 2 === 1 ? symbols[part]! : part)),
    );
  }
}

function printLines(f: GeneratedFile, lines: readonly string[]): void {
  for (const line of lines) f.print(line);
}

function indent(lines: readonly string[]): string[] {
  return lines.map((l) => `  ${l}`);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
