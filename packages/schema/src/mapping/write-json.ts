// Message → controller JSON, the inverse of read-json: field names become keys again, inlined
// fields move back up to their parent's level, unset nullable fields are written as null,
// enums by their controller name, and extra_fields is merged back last so unknown keys (and
// enum names this schema did not know) come out exactly as they came in.
import {
  type DescEnum,
  type DescField,
  type DescMessage,
  type JsonObject,
  type JsonValue,
  type Message,
  toJson,
} from "@bufbuild/protobuf";
import { childPath, indexPath, MappingError, mapKeyPath } from "./json-path.js";
import { type FieldPlan, type MessagePlan, planFor } from "./plan.js";

type Fields = Record<string, unknown>;

/** Writes one message; keys in `skip` (a family's name placeholders) are left out. */
export function writeMessage(
  eventName: string,
  desc: DescMessage,
  message: unknown,
  path: string,
  skip: ReadonlySet<string> = noKeys,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const plan = planFor(desc);
  writeFields(eventName, plan, message as Fields, path, out, skip);
  if (plan.extra) Object.assign(out, (message as Fields)[plan.extra.localName] as JsonObject | undefined);
  return out;
}

const noKeys: ReadonlySet<string> = new Set();

function writeFields(
  eventName: string,
  plan: MessagePlan,
  message: Fields,
  path: string,
  out: Record<string, unknown>,
  skip: ReadonlySet<string>,
): void {
  for (const fp of plan.fields) {
    if (!skip.has(fp.key)) writeField(eventName, fp, message, path, out);
  }
  for (const fp of plan.inlineMessages) {
    const inner = message[fp.field.localName] as Fields | undefined;
    if (fp.field.fieldKind !== "message") continue;
    if (inner === undefined)
      throw new MappingError(eventName, childPath(path, fp.key), "is required but unset");
    writeFields(eventName, planFor(fp.field.message), inner, path, out, skip);
  }
  if (plan.inlineMap) {
    const entries = message[plan.inlineMap.field.localName] as Fields;
    for (const [k, v] of Object.entries(entries)) {
      out[k] = writeElement(eventName, plan.inlineMap.field, v, mapKeyPath(path, k));
    }
  }
}

function writeField(
  eventName: string,
  fp: FieldPlan,
  message: Fields,
  path: string,
  out: Record<string, unknown>,
) {
  const value = message[fp.field.localName];
  const fieldPath = childPath(path, fp.key);
  if (value === undefined) {
    if (fp.nullable) out[fp.key] = null;
    else if (!fp.optional) throw new MappingError(eventName, fieldPath, "is required but unset");
    return;
  }
  // An optional list or map that is empty was most likely absent: leave it out.
  if (fp.optional && isEmptyCollection(fp.field, value)) return;
  out[fp.key] = writeValue(eventName, fp.field, value, fieldPath);
}

function writeValue(eventName: string, field: DescField, value: unknown, path: string): unknown {
  switch (field.fieldKind) {
    case "scalar":
      return writeScalar(value);
    case "enum":
      return writeEnum(field.enum, value as number);
    case "message":
      return writeMessageValue(eventName, field.message, value, path);
    case "list":
      return (value as unknown[]).map((item, i) => writeElement(eventName, field, item, indexPath(path, i)));
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Fields))
        out[k] = writeElement(eventName, field, v, mapKeyPath(path, k));
      return out;
    }
  }
}

function writeElement(eventName: string, field: DescField, value: unknown, path: string): unknown {
  if (field.fieldKind !== "list" && field.fieldKind !== "map") return undefined;
  switch (field.fieldKind === "list" ? field.listKind : field.mapKind) {
    case "scalar":
      return writeScalar(value);
    case "enum":
      return writeEnum(field.enum as DescEnum, value as number);
    default:
      return writeMessageValue(eventName, field.message as DescMessage, value, path);
  }
}

function writeMessageValue(eventName: string, desc: DescMessage, value: unknown, path: string): unknown {
  switch (desc.typeName) {
    case "google.protobuf.Struct":
      return value as JsonObject;
    case "google.protobuf.Value":
    case "google.protobuf.ListValue":
      return toJson(desc, value as Message) as JsonValue;
    default:
      return writeMessage(eventName, desc, value, path);
  }
}

function writeEnum(desc: DescEnum, value: number): string | number {
  // Unknown numbers (from a newer schema) are written as numbers: nothing is invented.
  return desc.values.find((v) => v.number === value)?.localName ?? value;
}

function writeScalar(value: unknown): unknown {
  if (typeof value !== "bigint") return value;
  // 64-bit integers go back to JSON numbers whenever a double holds them exactly (always the
  // case for values that were read from a JSON number); otherwise the bigint is returned so
  // nothing is rounded (serialise it with a bigint-aware JSON writer).
  const n = Number(value);
  return BigInt(n) === value ? n : value;
}

function isEmptyCollection(field: DescField, value: unknown): boolean {
  if (field.fieldKind === "list") return (value as unknown[]).length === 0;
  if (field.fieldKind === "map") return Object.keys(value as object).length === 0;
  return false;
}
