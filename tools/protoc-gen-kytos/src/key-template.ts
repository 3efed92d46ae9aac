// Key templates from the (event) option: "{link.id}", "{switch}:{port}",
// "{interface_a.id}+{interface_b.id}". Each {path} walks the message's fields by their proto
// names; this module checks the paths against the message and prints the TypeScript key
// extractor the registry calls for every published event (so it is plain property access).
import type { DescField, DescMessage } from "@bufbuild/protobuf";

export type KeyPart = { readonly literal: string } | { readonly path: readonly DescField[] };

const segmentRe = /\{([^{}]*)\}/g;

export function parseKeyTemplate(message: DescMessage, template: string): KeyPart[] {
  const parts: KeyPart[] = [];
  let last = 0;
  for (const m of template.matchAll(segmentRe)) {
    if (m.index > last) parts.push({ literal: template.slice(last, m.index) });
    parts.push({ path: resolvePath(message, m[1] as string, template) });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push({ literal: template.slice(last) });
  for (const part of parts) {
    if ("literal" in part && /[{}]/.test(part.literal)) {
      throw new Error(`${message.typeName}: key "${template}" has an unbalanced brace`);
    }
  }
  return parts;
}

function resolvePath(message: DescMessage, path: string, template: string): DescField[] {
  const names = path.split(".");
  const fields: DescField[] = [];
  let current: DescMessage | undefined = message;
  names.forEach((fieldName, i) => {
    const where = `${message.typeName}: key "${template}"`;
    const field: DescField | undefined = current?.fields.find((f) => f.name === fieldName);
    if (!field) throw new Error(`${where}: no field "${fieldName}" in ${current?.typeName ?? "a scalar"}`);
    const isLast = i === names.length - 1;
    if (isLast && field.fieldKind !== "scalar") {
      throw new Error(`${where}: "${path}" must end on a singular scalar field`);
    }
    if (!isLast && field.fieldKind !== "message") {
      throw new Error(`${where}: "${fieldName}" is not a singular message field`);
    }
    fields.push(field);
    current = field.fieldKind === "message" ? field.message : undefined;
  });
  return fields;
}

/** A TypeScript expression over `p` that yields the key as a string. */
export function keyExpression(parts: readonly KeyPart[]): string {
  if (parts.length === 0) return '""';
  const only = parts[0];
  if (parts.length === 1 && only && "path" in only && isStringField(only.path)) {
    return pathExpression(only.path);
  }
  const body = parts
    .map((part) => ("literal" in part ? escapeTemplate(part.literal) : `\${${pathExpression(part.path)}}`))
    .join("");
  return `\`${body}\``;
}

function isStringField(path: readonly DescField[]): boolean {
  const last = path[path.length - 1];
  return last?.fieldKind === "scalar" && last.scalar === 9; // ScalarType.STRING
}

function pathExpression(path: readonly DescField[]): string {
  // Message fields are optional in generated code; an unset one yields "" rather than throwing
  // on the hot path. The mappers make sure controller JSON always sets the key's fields.
  const throughMessage = path.length > 1;
  const access = path.map((f, i) => (i === 0 ? `p.${f.localName}` : `?.${f.localName}`)).join("");
  return throughMessage ? `(${access} ?? "")` : access;
}

function escapeTemplate(literal: string): string {
  return literal.replace(/[`\\$]/g, "\\$&");
}
