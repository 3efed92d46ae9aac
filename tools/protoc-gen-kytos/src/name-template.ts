// Event names as the (event) option writes them. Most are exact; a family writes its variable
// parts as <placeholder> ("kytos/core.shutdown.<napp_id>"). This module turns a family template
// into the RegExp the registry matches concrete names with, and into the TypeScript
// template-literal type that lets `EventName` accept every concrete name of the family.

const placeholderRe = /<([a-z][a-z0-9_]*)>/g;

export interface NameTemplate {
  /** The name as written in the option. */
  readonly template: string;
  /** Placeholder names in order; empty for an exact name. */
  readonly placeholders: readonly string[];
}

export function parseNameTemplate(template: string): NameTemplate {
  if (template.length === 0) throw new Error("event name is empty");
  const leftover = template.replace(placeholderRe, "");
  if (/[<>`$\s]/.test(leftover)) {
    throw new Error(
      `event name "${template}": only <lower_snake> placeholders may use < >; no spaces, $ or \``,
    );
  }
  const placeholders = [...template.matchAll(placeholderRe)].map((m) => m[1] as string);
  if (new Set(placeholders).size !== placeholders.length) {
    throw new Error(`event name "${template}": a placeholder appears twice`);
  }
  return { template, placeholders };
}

export function isFamily(name: NameTemplate): boolean {
  return name.placeholders.length > 0;
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Source of an anchored RegExp literal with one named group per placeholder. */
export function familyRegExpSource(name: NameTemplate): string {
  // Lazy groups keep each placeholder to the shortest match, so a literal part that follows
  // (".loaded") anchors where the placeholder ends; the last one may still contain dots or
  // slashes (NApp ids do).
  const parts = name.template.split(placeholderRe);
  let source = "^";
  parts.forEach((part, i) => {
    source += i % 2 === 0 ? escapeRegExp(part) : `(?<${part}>.+?)`;
  });
  return `${source}$`;
}

/** The TypeScript type of the concrete names: a string literal, or a template literal type. */
export function nameTypeLiteral(name: NameTemplate): string {
  if (!isFamily(name)) return JSON.stringify(name.template);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: this is TypeScript source being printed.
  return `\`${name.template.replace(placeholderRe, "${string}")}\``;
}
