// Family name templates: the RegExp matches exactly the family's concrete names and captures
// the placeholders; the TypeScript type is the matching template literal.
import { describe, expect, it } from "vitest";
import { familyRegExpSource, isFamily, nameTypeLiteral, parseNameTemplate } from "./name-template.js";

describe("name templates", () => {
  it("leaves exact names exact", () => {
    const name = parseNameTemplate("kytos/topology.link_down");
    expect(isFamily(name)).toBe(false);
    expect(nameTypeLiteral(name)).toBe('"kytos/topology.link_down"');
  });

  it("matches a family's concrete names and captures its placeholders", () => {
    const name = parseNameTemplate("<username>/<napp>.loaded");
    expect(name.placeholders).toEqual(["username", "napp"]);
    const re = new RegExp(familyRegExpSource(name));
    expect(re.exec("kytos/of_lldp.loaded")?.groups).toEqual({ username: "kytos", napp: "of_lldp" });
    expect(re.test("kytos/of_lldp.loaded_not")).toBe(false);
    expect(re.test("kytos.loaded")).toBe(false);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the expected value is printed TypeScript source.
    expect(nameTypeLiteral(name)).toBe("`${string}/${string}.loaded`");
  });

  it("lets the last placeholder hold dots and slashes (NApp ids)", () => {
    const re = new RegExp(familyRegExpSource(parseNameTemplate("kytos/core.shutdown.<napp_id>")));
    expect(re.exec("kytos/core.shutdown.kytos/of_lldp")?.groups?.napp_id).toBe("kytos/of_lldp");
    expect(re.test("kytos/core.shutdown")).toBe(false);
    expect(re.test("kytosXcore.shutdown.a")).toBe(false);
  });

  it("rejects malformed templates", () => {
    expect(() => parseNameTemplate("")).toThrow(/empty/);
    expect(() => parseNameTemplate("a.<Bad>")).toThrow(/placeholders/);
    expect(() => parseNameTemplate("<x>.<x>")).toThrow(/twice/);
  });
});
