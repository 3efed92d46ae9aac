// How each message maps onto the controller's JSON, worked out once per message type from its
// descriptor and the (json_field) options, then reused for every event: the JSON key of each
// field, whether it may be absent or null, which fields are inlined into their parent, and the
// extra_fields bucket that keeps keys the schema does not know.
import { type DescField, type DescMessage, getOption } from "@bufbuild/protobuf";
import { json_field } from "../gen/kytos/events/v1/options_pb.js";

export interface FieldPlan {
  readonly field: DescField;
  /** The JSON key: the proto field name, which is the controller's key. */
  readonly key: string;
  /** May be absent from the JSON; unset fields are left out. */
  readonly optional: boolean;
  /** The controller writes null for "no value"; unset fields are written as null. */
  readonly nullable: boolean;
  /** A message field whose fields sit at the parent's level (or a map whose entries do). */
  readonly inline: boolean;
}

export interface MessagePlan {
  readonly desc: DescMessage;
  /** Fields matched by key, in declaration order; inlined fields are listed separately. */
  readonly fields: readonly FieldPlan[];
  readonly inlineMessages: readonly FieldPlan[];
  /** A map inlined at this level takes every key no other field claims. */
  readonly inlineMap?: FieldPlan;
  /** google.protobuf.Struct extra_fields: where unknown keys are kept. */
  readonly extra?: DescField;
}

export const extraFieldName = "extra_fields";

const plans = new Map<string, MessagePlan>();

export function planFor(desc: DescMessage): MessagePlan {
  let plan = plans.get(desc.typeName);
  if (!plan) {
    plan = buildPlan(desc);
    plans.set(desc.typeName, plan);
  }
  return plan;
}

function buildPlan(desc: DescMessage): MessagePlan {
  const fields: FieldPlan[] = [];
  const inlineMessages: FieldPlan[] = [];
  let inlineMap: FieldPlan | undefined;
  let extra: DescField | undefined;
  for (const field of desc.fields) {
    if (field.name === extraFieldName && isStruct(field)) {
      extra = field;
      continue;
    }
    const plan = fieldPlan(desc, field);
    if (!plan.inline) fields.push(plan);
    else if (field.fieldKind === "map") inlineMap = plan;
    else inlineMessages.push(plan);
  }
  if (inlineMap && extra) {
    throw schemaError(desc, "an inlined map takes every key, so the message cannot also have extra_fields");
  }
  return { desc, fields, inlineMessages, ...(inlineMap ? { inlineMap } : {}), ...(extra ? { extra } : {}) };
}

function fieldPlan(desc: DescMessage, field: DescField): FieldPlan {
  const o = getOption(field, json_field);
  const plan: FieldPlan = {
    field,
    key: field.name,
    optional: o.optional,
    nullable: o.nullable,
    inline: o.inline,
  };
  // Without proto3 `optional` an unset scalar is indistinguishable from its zero value, so
  // "absent" or "null" could not survive the wire.
  const needsPresence =
    (plan.optional || plan.nullable) && (field.fieldKind === "scalar" || field.fieldKind === "enum");
  if (needsPresence && !field.proto.proto3Optional) {
    throw schemaError(desc, `field ${field.name} is optional/nullable in JSON: declare it \`optional\``);
  }
  if (plan.inline && field.fieldKind !== "message" && field.fieldKind !== "map") {
    throw schemaError(desc, `field ${field.name}: only message and map fields can be inlined`);
  }
  if (field.oneof) throw schemaError(desc, `field ${field.name}: oneof fields have no JSON mapping`);
  return plan;
}

function isStruct(field: DescField): boolean {
  return field.fieldKind === "message" && field.message.typeName === "google.protobuf.Struct";
}

function schemaError(desc: DescMessage, what: string): Error {
  // A schema bug, not bad input: fixed in proto/, caught by the mapper tests over every event.
  return new Error(`${desc.typeName}: ${what} (see proto/README.md, "JSON mapping")`);
}
