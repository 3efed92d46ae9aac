// Reads kytos.events.v1's custom options from the descriptors buf hands the plugin. The plugin
// has no generated code for options.proto (that would make it depend on its own output): it
// finds the extensions by their full names among the request's files and reads them
// reflectively, then turns them into plain typed objects for the rest of the plugin.
import {
  type DescEnum,
  type DescExtension,
  type DescFile,
  type DescMessage,
  getOption,
  hasOption,
} from "@bufbuild/protobuf";

export const optionNames = {
  event: "kytos.events.v1.event",
  schemaVersion: "kytos.events.v1.schema_version",
} as const;

export interface EventOption {
  readonly name: string;
  readonly napp: string;
  readonly role: string;
  readonly key: string;
  readonly highVolume: boolean;
  readonly status?: { readonly entity: string; readonly state: string };
}

export interface Extensions {
  readonly event: DescExtension;
  readonly schemaVersion: DescExtension;
}

export function findExtensions(files: readonly DescFile[]): Extensions {
  const byName = new Map<string, DescExtension>();
  for (const file of files) {
    for (const ext of file.extensions) byName.set(ext.typeName, ext);
  }
  const get = (name: string): DescExtension => {
    const ext = byName.get(name);
    if (!ext) throw new Error(`extension ${name} not found: import kytos/events/v1/options.proto`);
    return ext;
  };
  return { event: get(optionNames.event), schemaVersion: get(optionNames.schemaVersion) };
}

/** The (event) option of a message, or undefined when the message is not an event. */
export function readEventOption(message: DescMessage, ext: DescExtension): EventOption | undefined {
  if (!hasDynamicOption(message, ext)) return undefined;
  const raw = getDynamicOption(message, ext) as Record<string, unknown>;
  const optionType = ext.message;
  if (!optionType) throw new Error(`${ext.typeName} must be a message-typed extension`);
  const statusRaw = raw.status as Record<string, unknown> | undefined;
  const statusType = optionType.fields.find((f) => f.name === "status")?.message;
  const option: EventOption = {
    name: String(raw.name ?? ""),
    napp: String(raw.napp ?? ""),
    role: enumLabel(fieldEnum(optionType, "role"), raw.role),
    key: String(raw.key ?? ""),
    highVolume: raw.highVolume === true,
  };
  if (statusRaw === undefined || !statusType) return option;
  return {
    ...option,
    status: {
      entity: enumLabel(fieldEnum(statusType, "entity"), statusRaw.entity),
      state: enumLabel(fieldEnum(statusType, "state"), statusRaw.state),
    },
  };
}

export function readSchemaVersion(file: DescFile, ext: DescExtension): number | undefined {
  if (!hasDynamicOption(file, ext)) return undefined;
  return Number(getDynamicOption(file, ext));
}

// getOption/hasOption tie the element type to the extension's generated extendee type; an
// extension found at run time has none, so the pairing is asserted here once.
function hasDynamicOption(element: DescMessage | DescFile, ext: DescExtension): boolean {
  return hasOption(element as never, ext as never);
}

function getDynamicOption(element: DescMessage | DescFile, ext: DescExtension): unknown {
  return getOption(element as never, ext as never);
}

function fieldEnum(message: DescMessage, fieldName: string): DescEnum {
  const field = message.fields.find((f) => f.name === fieldName);
  if (field?.fieldKind !== "enum") throw new Error(`${message.typeName}.${fieldName} must be an enum field`);
  return field.enum;
}

/** "EVENT_ROLE_LINK_STATUS" → "link_status": the value name without the enum's shared prefix. */
export function enumLabel(desc: DescEnum, value: unknown): string {
  const found = desc.values.find((v) => v.number === value);
  if (!found || found.number === 0) {
    throw new Error(`${desc.typeName}: value ${String(value)} is unset or unknown; set it explicitly`);
  }
  return found.localName.toLowerCase();
}

/** Every non-zero label of an enum, for the generated union types. */
export function enumLabels(desc: DescEnum): string[] {
  return desc.values.filter((v) => v.number !== 0).map((v) => v.localName.toLowerCase());
}
