// Key templates resolved against the real messages: paths are checked, and the printed
// extractor is plain (optional-chained) property access.
import { describe, expect, it } from "vitest";
import { keyExpression, parseKeyTemplate } from "./key-template.js";
import { buildImage, registryOf } from "./test-image.js";

const registry = registryOf(buildImage());
const message = (name: string) => {
  const m = registry.getMessage(`kytos.events.v1.${name}`);
  if (!m) throw new Error(name);
  return m;
};

describe("key templates", () => {
  it("prints a nested string path with a fallback for unset messages", () => {
    expect(keyExpression(parseKeyTemplate(message("TopologyLinkDown"), "{link.id}"))).toBe(
      '(p.link?.id ?? "")',
    );
  });

  it("prints a template literal for compound keys, numbers included", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the expected value is printed TypeScript source.
    const portKey = "`${p.switch}:${p.port}`";
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the expected value is printed TypeScript source.
    const pairKey = '`${(p.interfaceA?.id ?? "")}+${(p.interfaceB?.id ?? "")}`';
    expect(keyExpression(parseKeyTemplate(message("TopologyPortCreated"), "{switch}:{port}"))).toBe(portKey);
    const pair = parseKeyTemplate(message("OfLldpLivenessUp"), "{interface_a.id}+{interface_b.id}");
    expect(keyExpression(pair)).toBe(pairKey);
  });

  it("prints an empty key for an empty template", () => {
    expect(keyExpression(parseKeyTemplate(message("TopologyUpdated"), ""))).toBe('""');
  });

  it("rejects paths that do not exist or do not end on a scalar", () => {
    expect(() => parseKeyTemplate(message("TopologyLinkDown"), "{link.uuid}")).toThrow(/no field "uuid"/);
    expect(() => parseKeyTemplate(message("TopologyLinkDown"), "{link}")).toThrow(/singular scalar/);
    expect(() => parseKeyTemplate(message("TopologyLinkDown"), "{reason.x}")).toThrow(
      /not a singular message/,
    );
    expect(() => parseKeyTemplate(message("TopologyLinkDown"), "{link.id")).toThrow(/unbalanced/);
  });
});
