// Prints the generated registry module: SCHEMA_VERSION, the name → message type maps that
// give producers a typed publish and consumers a typed on(name, handler), the role/status
// unions, and one definition per event (schema, payload case, topic, role, status, key
// extractor, and for families the RegExp that matches concrete names).
import type { GeneratedFile, Printable, Schema } from "@bufbuild/protoplugin";
import { keyExpression } from "./key-template.js";
import type { EventModel, RegistryModel } from "./model.js";
import { familyRegExpSource, isFamily, nameTypeLiteral } from "./name-template.js";
import { enumLabels } from "./options.js";

export const registryFileName = "kytos/events/v1/event_registry.ts";

export function emitRegistry(schema: Schema, model: RegistryModel): void {
  const f = schema.generateFile(registryFileName);
  // The preamble quotes options.proto's header: it says what these definitions are made from.
  f.preamble(model.optionsFile);
  emitVersion(f, model);
  emitUnions(f, model);
  emitMaps(f, model);
  emitDefinitions(f, model);
}

function emitVersion(f: GeneratedFile, model: RegistryModel): void {
  f.print(
    f.jsDoc(
      `Version of the kytos.events.v1 contract: the (schema_version) option of ${model.envelope.file.proto.name}.`,
    ),
  );
  f.print(f.export("const", "SCHEMA_VERSION"), ` = ${model.schemaVersion};`);
  f.print();
}

function emitUnions(f: GeneratedFile, model: RegistryModel): void {
  const union = (labels: string[]) => labels.map((l) => JSON.stringify(l)).join(" | ");
  f.print(f.jsDoc("What an event means to a consumer (options.proto EventRole)."));
  f.print(f.export("type", "EventRole"), ` = ${union(enumLabels(model.enums.role))};`);
  f.print();
  f.print(f.jsDoc("The entity a status event is about (options.proto StatusEntity)."));
  f.print(f.export("type", "StatusEntity"), ` = ${union(enumLabels(model.enums.entity))};`);
  f.print();
  f.print(f.jsDoc("The state a status event reports (options.proto StatusState)."));
  f.print(f.export("type", "StatusState"), ` = ${union(enumLabels(model.enums.state))};`);
  f.print();
}

function emitMaps(f: GeneratedFile, model: RegistryModel): void {
  const entry = (e: EventModel, value: Printable): Printable[] =>
    isFamily(e.name)
      ? ["  [name: ", nameTypeLiteral(e.name), "]: ", value, ";"]
      : ["  ", nameTypeLiteral(e.name), ": ", value, ";"];

  f.print(f.jsDoc("Controller event name → payload message. A family is a template-literal key."));
  f.print(f.export("interface", "EventMap"), " {");
  for (const e of model.events) f.print(...entry(e, f.importShape(e.message)));
  f.print("}");
  f.print();
  f.print(f.jsDoc("Controller event name → payload message schema."));
  f.print(f.export("interface", "EventSchemaMap"), " {");
  for (const e of model.events) f.print(...entry(e, ["typeof ", f.importSchema(e.message, true)]));
  f.print("}");
  f.print();
  f.print(f.jsDoc("Envelope payload case → the event name (the name type of a family)."));
  f.print(f.export("interface", "EventCaseMap"), " {");
  for (const e of model.events) f.print(`  ${e.payloadCase}: ${nameTypeLiteral(e.name)};`);
  f.print("}");
  f.print();
}

function emitDefinitions(f: GeneratedFile, model: RegistryModel): void {
  f.print(f.jsDoc("One definition per event, in schema order. The registry indexes them."));
  f.print(f.export("const", "eventDefinitions"), " = [");
  for (const e of model.events) emitDefinition(f, e);
  f.print("] as const;");
}

function emitDefinition(f: GeneratedFile, e: EventModel): void {
  const o = e.option;
  f.print("  {");
  f.print("    name: ", f.string(e.name.template), ",");
  if (isFamily(e.name)) {
    f.print(`    pattern: /${familyRegExpSource(e.name)}/,`);
    f.print(`    placeholders: [${e.name.placeholders.map((p) => JSON.stringify(p)).join(", ")}],`);
  }
  f.print("    napp: ", f.string(o.napp), ",");
  f.print("    role: ", f.string(o.role), ",");
  f.print("    topic: ", f.string(e.topic), ",");
  f.print(`    highVolume: ${o.highVolume},`);
  f.print("    schema: ", f.importSchema(e.message), ",");
  f.print("    payloadCase: ", f.string(e.payloadCase), ",");
  f.print("    keyTemplate: ", f.string(o.key), ",");
  const param = e.key.length === 0 ? "_p" : "p";
  f.print(`    key: (${param}: `, f.importShape(e.message), `): string => ${keyExpression(e.key)},`);
  if (o.status) {
    f.print(
      `    status: { entity: ${JSON.stringify(o.status.entity)}, state: ${JSON.stringify(o.status.state)} },`,
    );
  }
  f.print("  },");
}
