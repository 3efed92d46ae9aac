// Collects the event model the generated registry is printed from: every message carrying an
// (event) option, checked against the envelope. The checks run at generation time so a
// schema mistake (an event missing from the payload oneof, a key path that does not exist, two
// messages claiming one name) fails `pnpm generate` with the message to fix, not a consumer.
import type { DescEnum, DescField, DescFile, DescMessage } from "@bufbuild/protobuf";
import { type KeyPart, parseKeyTemplate } from "./key-template.js";
import { familyRegExpSource, isFamily, type NameTemplate, parseNameTemplate } from "./name-template.js";
import { type EventOption, type Extensions, readEventOption, readSchemaVersion } from "./options.js";

export interface EventModel {
  readonly message: DescMessage;
  readonly option: EventOption;
  readonly name: NameTemplate;
  readonly key: readonly KeyPart[];
  /** localName of the envelope oneof field that carries this event. */
  readonly payloadCase: string;
  readonly topic: string;
}

export interface RegistryModel {
  readonly schemaVersion: number;
  readonly envelope: DescMessage;
  /** The file that declares the custom options. */
  readonly optionsFile: DescFile;
  readonly events: readonly EventModel[];
  readonly enums: { readonly role: DescEnum; readonly entity: DescEnum; readonly state: DescEnum };
}

export function buildModel(files: readonly DescFile[], ext: Extensions, envelopeName: string): RegistryModel {
  const envelope = findMessage(files, envelopeName);
  const payload = envelope.oneofs.find((o) => o.name === "payload");
  if (!payload) throw new Error(`${envelopeName} needs a oneof named "payload"`);
  const caseByMessage = payloadCases(payload.fields, envelopeName);

  const events: EventModel[] = [];
  for (const message of allMessages(files)) {
    const option = readEventOption(message, ext.event);
    if (!option) continue;
    const payloadCase = caseByMessage.get(message.typeName);
    if (!payloadCase) {
      throw new Error(`${message.typeName} is an event but no field of ${envelopeName}.payload carries it`);
    }
    events.push(eventModel(message, option, payloadCase));
  }
  for (const [typeName] of caseByMessage) {
    if (!events.some((e) => e.message.typeName === typeName)) {
      throw new Error(`${envelopeName}.payload carries ${typeName}, which has no (event) option`);
    }
  }
  // Envelope order (NApp blocks) reads better than file order and is stable across runs.
  const order = payload.fields.map((f) => f.message?.typeName);
  events.sort((a, b) => order.indexOf(a.message.typeName) - order.indexOf(b.message.typeName));
  checkNames(events);
  const schemaVersion = readSchemaVersion(envelope.file, ext.schemaVersion);
  if (schemaVersion === undefined || schemaVersion < 1) {
    throw new Error(`${envelope.file.name} must set option (schema_version) to a positive number`);
  }
  const optionType = ext.event.message;
  const statusType = optionType?.fields.find((f) => f.name === "status")?.message;
  return {
    schemaVersion,
    envelope,
    optionsFile: ext.event.file,
    events,
    enums: {
      role: enumOf(optionType, "role"),
      entity: enumOf(statusType, "entity"),
      state: enumOf(statusType, "state"),
    },
  };
}

function eventModel(message: DescMessage, option: EventOption, payloadCase: string): EventModel {
  const where = `${message.typeName} (event "${option.name}")`;
  if (!option.napp.includes("/")) throw new Error(`${where}: napp must look like "kytos/topology"`);
  const name = parseNameTemplate(option.name);
  for (const placeholder of name.placeholders) {
    const field = message.fields.find((f) => f.name === placeholder);
    if (field?.fieldKind !== "scalar" || field.scalar !== 9) {
      throw new Error(`${where}: placeholder <${placeholder}> needs a string field of that name`);
    }
  }
  return {
    message,
    option,
    name,
    key: parseKeyTemplate(message, option.key),
    payloadCase,
    // One topic per NApp: "kytos/topology" → "kytos.topology" (Kafka topic names allow no "/").
    topic: option.napp.replace(/\//g, "."),
  };
}

function payloadCases(fields: readonly DescField[], envelopeName: string): Map<string, string> {
  const cases = new Map<string, string>();
  for (const field of fields) {
    if (field.fieldKind !== "message") throw new Error(`${envelopeName}.${field.name} must be a message`);
    if (cases.has(field.message.typeName)) {
      throw new Error(`${envelopeName}.payload carries ${field.message.typeName} twice`);
    }
    cases.set(field.message.typeName, field.localName);
  }
  return cases;
}

function checkNames(events: readonly EventModel[]): void {
  const seen = new Map<string, string>();
  for (const e of events) {
    const other = seen.get(e.name.template);
    if (other)
      throw new Error(`event name "${e.name.template}" is claimed by ${other} and ${e.message.typeName}`);
    seen.set(e.name.template, e.message.typeName);
  }
  // An exact name matched by a family would make lookups depend on their order.
  const families = events.filter((e) => isFamily(e.name));
  for (const e of events.filter((x) => !isFamily(x.name))) {
    for (const f of families) {
      if (new RegExp(familyRegExpSource(f.name)).test(e.name.template)) {
        throw new Error(`exact event "${e.name.template}" also matches family "${f.name.template}"`);
      }
    }
  }
}

function* allMessages(files: readonly DescFile[]): Generator<DescMessage> {
  function* walk(messages: readonly DescMessage[]): Generator<DescMessage> {
    for (const m of messages) {
      yield m;
      yield* walk(m.nestedMessages);
    }
  }
  for (const file of files) yield* walk(file.messages);
}

function findMessage(files: readonly DescFile[], typeName: string): DescMessage {
  for (const m of allMessages(files)) if (m.typeName === typeName) return m;
  throw new Error(`message ${typeName} not found among the generated files`);
}

function enumOf(message: DescMessage | undefined, fieldName: string): DescEnum {
  const field = message?.fields.find((f) => f.name === fieldName);
  if (field?.fieldKind !== "enum") throw new Error(`option field ${fieldName} must be an enum`);
  return field.enum;
}
