// JSON Schema (draft-07, AsyncAPI's default schema format) for Protobuf messages as the
// Protobuf JSON mapping writes them: lowerCamelCase field names, 64-bit integers as decimal
// strings, enums by value name, bytes as base64, Timestamp as RFC 3339, Struct/Value/ListValue
// as plain JSON, every field optional (defaults are omitted). It describes the shape of the
// binary messages too — same fields, same types — with the .proto files as the authority.
import { type DescEnum, type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";

export type JsonSchema = { readonly [key: string]: unknown };

/** Where schemas of named messages live, and how to refer to one. */
export interface SchemaRefs {
  ref(message: DescMessage): JsonSchema;
}

const WELL_KNOWN: Record<string, JsonSchema> = {
  "google.protobuf.Timestamp": { type: "string", format: "date-time" },
  "google.protobuf.Duration": { type: "string", pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$" },
  "google.protobuf.Struct": { type: "object" },
  "google.protobuf.Value": {},
  "google.protobuf.ListValue": { type: "array" },
  "google.protobuf.Empty": { type: "object", additionalProperties: false },
  "google.protobuf.FieldMask": { type: "string" },
};

/** The schema of a well-known type written inline, or undefined for any other message. */
export function wellKnownSchema(message: DescMessage): JsonSchema | undefined {
  return WELL_KNOWN[message.typeName];
}

/**
 * The object schema of one message. `fields` picks the fields to include (all by default);
 * nested messages are referred to through `refs`.
 */
export function messageSchema(
  message: DescMessage,
  refs: SchemaRefs,
  fields: readonly DescField[] = message.fields,
): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const field of fields) properties[field.jsonName] = fieldSchema(field, refs);
  const oneofs = message.oneofs.filter((o) => fields.some((f) => f.oneof === o));
  return {
    type: "object",
    "x-protobuf-message": message.typeName,
    ...(oneofs.length > 0
      ? {
          description: oneofs
            .map(
              (o) => `At most one of ${o.fields.map((f) => f.jsonName).join(", ")} is set (oneof ${o.name}).`,
            )
            .join(" "),
        }
      : {}),
    properties,
  };
}

/** Every message a message refers to, itself included, depth first, each once. */
export function referencedMessages(roots: readonly DescMessage[]): DescMessage[] {
  const seen = new Map<string, DescMessage>();
  const visit = (m: DescMessage) => {
    if (seen.has(m.typeName) || wellKnownSchema(m)) return;
    seen.set(m.typeName, m);
    for (const f of m.fields) {
      if (f.message) visit(f.message);
    }
  };
  for (const root of roots) visit(root);
  return [...seen.values()];
}

function fieldSchema(field: DescField, refs: SchemaRefs): JsonSchema {
  switch (field.fieldKind) {
    case "scalar":
      return scalarSchema(field.scalar);
    case "enum":
      return enumSchema(field.enum);
    case "message":
      return refOrInline(field.message, refs);
    case "list":
      return {
        type: "array",
        items:
          field.listKind === "scalar"
            ? scalarSchema(field.scalar)
            : field.listKind === "enum"
              ? enumSchema(field.enum)
              : refOrInline(field.message, refs),
      };
    case "map":
      return {
        type: "object",
        // Map keys are always JSON strings; integer and bool keys are their decimal/literal text.
        additionalProperties:
          field.mapKind === "scalar"
            ? scalarSchema(field.scalar)
            : field.mapKind === "enum"
              ? enumSchema(field.enum)
              : refOrInline(field.message, refs),
      };
  }
}

function refOrInline(message: DescMessage, refs: SchemaRefs): JsonSchema {
  return wellKnownSchema(message) ?? refs.ref(message);
}

function enumSchema(e: DescEnum): JsonSchema {
  return { type: "string", enum: e.values.map((v) => v.name), "x-protobuf-enum": e.typeName };
}

const INT64_TEXT = { type: "string", pattern: "^-?[0-9]+$" } as const;

function scalarSchema(scalar: ScalarType): JsonSchema {
  switch (scalar) {
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BOOL:
      return { type: "boolean" };
    case ScalarType.BYTES:
      return { type: "string", contentEncoding: "base64" };
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      // "NaN", "Infinity" and "-Infinity" are written as strings.
      return { oneOf: [{ type: "number" }, { type: "string", enum: ["NaN", "Infinity", "-Infinity"] }] };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: "integer", minimum: -2147483648, maximum: 2147483647 };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: "integer", minimum: 0, maximum: 4294967295 };
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return { ...INT64_TEXT, description: "64-bit integer, as a decimal string" };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return {
        type: "string",
        pattern: "^[0-9]+$",
        description: "unsigned 64-bit integer, as a decimal string",
      };
  }
}
