// Controller JSON → message. Walks the JSON along the message plans: every field the schema
// knows is type-checked and converted, a missing required field is an error naming its path,
// and every key the schema does not know is kept in the message's extra_fields, as is JSON
// shape protobuf cannot hold (an enum name this schema version has not heard of, a null or
// present-but-empty optional list), so the JSON can be written back unchanged.
import {
  create,
  type DescEnum,
  type DescField,
  type DescMessage,
  fromJson,
  type JsonObject,
  type JsonValue,
  ScalarType,
} from "@bufbuild/protobuf";
import { childPath, indexPath, MappingError, mapKeyPath } from "./json-path.js";
import { type FieldPlan, type MessagePlan, planFor } from "./plan.js";

type Fields = Record<string, unknown>;

/** Reads one message; `preset` names fields already set (from a family's event name). */
export function readMessage(
  eventName: string,
  desc: DescMessage,
  json: unknown,
  path: string,
  preset: ReadonlySet<string> = noKeys,
): Fields {
  const obj = asObject(eventName, json, path);
  const message = create(desc) as unknown as Fields;
  const extras: JsonObject = {};
  const claimed = new Set<string>(preset);
  const plan = planFor(desc);
  fillMessage(eventName, plan, obj, path, message, claimed, extras);
  if (plan.inlineMap) {
    const entries: Fields = {};
    for (const key of Object.keys(obj)) {
      if (!claimed.has(key))
        entries[key] = readElement(eventName, plan.inlineMap.field, obj[key], mapKeyPath(path, key));
    }
    message[plan.inlineMap.field.localName] = entries;
    return message;
  }
  for (const key of Object.keys(obj)) if (!claimed.has(key)) extras[key] = obj[key] as JsonValue;
  if (Object.keys(extras).length > 0) {
    if (!plan.extra)
      throw new MappingError(
        eventName,
        childPath(path, Object.keys(extras)[0] ?? ""),
        "is not in the schema",
      );
    message[plan.extra.localName] = extras;
  }
  return message;
}

const noKeys: ReadonlySet<string> = new Set();

function fillMessage(
  eventName: string,
  plan: MessagePlan,
  obj: JsonObject,
  path: string,
  message: Fields,
  claimed: Set<string>,
  extras: JsonObject,
): void {
  for (const fp of plan.fields) {
    if (claimed.has(fp.key)) continue;
    claimed.add(fp.key);
    readField(eventName, fp, obj, path, message, extras);
  }
  // An inlined message reads its fields from the same JSON object as its parent.
  for (const fp of plan.inlineMessages) {
    if (fp.field.fieldKind !== "message") continue;
    const inner = create(fp.field.message) as unknown as Fields;
    fillMessage(eventName, planFor(fp.field.message), obj, path, inner, claimed, extras);
    message[fp.field.localName] = inner;
  }
}

function readField(
  eventName: string,
  fp: FieldPlan,
  obj: JsonObject,
  path: string,
  message: Fields,
  extras: JsonObject,
) {
  const fieldPath = childPath(path, fp.key);
  const value = obj[fp.key];
  if (value === undefined) {
    if (fp.optional || fp.nullable) return;
    throw new MappingError(eventName, fieldPath, "is required but missing");
  }
  const collection = fp.field.fieldKind === "list" || fp.field.fieldKind === "map";
  if (value === null && !isValueField(fp.field)) {
    if (!fp.nullable)
      throw new MappingError(eventName, fieldPath, "is null but the schema does not allow null there");
    // A list or map cannot be unset on the wire: remember the null so it is written back.
    if (collection) extras[fp.key] = null;
    return;
  }
  // An empty optional list or map is written as absent; remember that this one was present.
  if (collection && fp.optional && isEmpty(value)) extras[fp.key] = value as JsonValue;
  if (fp.field.fieldKind === "enum") {
    const number = enumNumber(fp.field.enum, value);
    // An enum name from a newer controller: keep the original in extra_fields (it wins when
    // written back) and leave the field unspecified rather than guessing.
    if (number === undefined) {
      if (typeof value !== "string") throw new MappingError(eventName, fieldPath, "must be an enum name");
      extras[fp.key] = value;
      message[fp.field.localName] = 0;
      return;
    }
    message[fp.field.localName] = number;
    return;
  }
  message[fp.field.localName] = readValue(eventName, fp.field, value, fieldPath);
}

/** Converts a field's JSON value; for list and map fields, the whole array or object. */
function readValue(eventName: string, field: DescField, value: unknown, path: string): unknown {
  switch (field.fieldKind) {
    case "scalar":
      return readScalar(eventName, field.scalar, value, path);
    case "enum":
      return readEnum(eventName, field.enum, value, path);
    case "message":
      return readMessageValue(eventName, field.message, value, path);
    case "list":
      return asArray(eventName, value, path).map((item, i) =>
        readElement(eventName, field, item, indexPath(path, i)),
      );
    case "map": {
      const out: Fields = {};
      for (const [k, v] of Object.entries(asObject(eventName, value, path))) {
        out[k] = readElement(eventName, field, v, mapKeyPath(path, k));
      }
      return out;
    }
  }
}

function readElement(eventName: string, field: DescField, value: unknown, path: string): unknown {
  if (field.fieldKind !== "list" && field.fieldKind !== "map") return undefined;
  switch (field.fieldKind === "list" ? field.listKind : field.mapKind) {
    case "scalar":
      return readScalar(eventName, field.scalar as ScalarType, value, path);
    case "enum":
      return readEnum(eventName, field.enum as DescEnum, value, path);
    default:
      return readMessageValue(eventName, field.message as DescMessage, value, path);
  }
}

function readMessageValue(eventName: string, desc: DescMessage, value: unknown, path: string): unknown {
  switch (desc.typeName) {
    // Struct fields are plain JSON objects in generated code; Value and ListValue take any JSON.
    case "google.protobuf.Struct":
      return asObject(eventName, value, path);
    case "google.protobuf.Value":
      return fromJson(desc, value as JsonValue);
    case "google.protobuf.ListValue":
      return fromJson(desc, asArray(eventName, value, path) as JsonValue);
    default:
      return readMessage(eventName, desc, value, path);
  }
}

function readEnum(eventName: string, desc: DescEnum, value: unknown, path: string): number {
  const number = enumNumber(desc, value);
  if (number === undefined)
    throw new MappingError(eventName, path, `has no ${desc.name} value ${JSON.stringify(value)}`);
  return number;
}

function enumNumber(desc: DescEnum, value: unknown): number | undefined {
  if (typeof value === "number") return desc.values.some((v) => v.number === value) ? value : undefined;
  // The controller writes names without our prefix: "UP" for ENTITY_STATUS_UP.
  return desc.values.find((v) => v.number !== 0 && (v.localName === value || v.name === value))?.number;
}

const int32Range: Record<number, readonly [number, number]> = {
  [ScalarType.INT32]: [-0x80000000, 0x7fffffff],
  [ScalarType.SINT32]: [-0x80000000, 0x7fffffff],
  [ScalarType.SFIXED32]: [-0x80000000, 0x7fffffff],
  [ScalarType.UINT32]: [0, 0xffffffff],
  [ScalarType.FIXED32]: [0, 0xffffffff],
};

function readScalar(eventName: string, type: ScalarType, value: unknown, path: string): unknown {
  switch (type) {
    case ScalarType.STRING:
      if (typeof value !== "string") throw new MappingError(eventName, path, "must be a string");
      return value;
    case ScalarType.BOOL:
      if (typeof value !== "boolean") throw new MappingError(eventName, path, "must be true or false");
      return value;
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      if (typeof value !== "number") throw new MappingError(eventName, path, "must be a number");
      return value;
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return readInt64(eventName, type, value, path);
    case ScalarType.BYTES:
      throw new MappingError(eventName, path, "is bytes, which controller JSON cannot carry");
    default: {
      const [min, max] = int32Range[type] ?? [0, 0];
      if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        throw new MappingError(eventName, path, `must be an integer from ${min} to ${max}`);
      }
      return value;
    }
  }
}

function readInt64(eventName: string, type: ScalarType, value: unknown, path: string): bigint {
  let big: bigint | undefined;
  if (typeof value === "bigint") big = value;
  else if (typeof value === "number" && Number.isInteger(value)) big = BigInt(value);
  else if (typeof value === "string" && /^-?\d+$/.test(value)) big = BigInt(value);
  const unsigned = type === ScalarType.UINT64 || type === ScalarType.FIXED64;
  if (big === undefined || (unsigned && big < 0n)) {
    throw new MappingError(eventName, path, `must be ${unsigned ? "a non-negative" : "an"} integer`);
  }
  return big;
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && value !== null && Object.keys(value).length === 0;
}

function isValueField(field: DescField): boolean {
  return field.fieldKind === "message" && field.message.typeName === "google.protobuf.Value";
}

function asObject(eventName: string, value: unknown, path: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MappingError(eventName, path, "must be a JSON object");
  }
  return value as JsonObject;
}

function asArray(eventName: string, value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new MappingError(eventName, path, "must be a JSON array");
  return value;
}
