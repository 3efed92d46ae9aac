// Every event in the controller catalog has a message in the schema (same name, NApp and role),
// or is listed with its reason under "Excluded events" in proto/README.md.
import { describe, expect, it } from "vitest";
import { eventDescriptors } from "./registry.js";
import { readCatalog, readExclusions } from "./test-support.js";

const catalog = readCatalog().events;
const exclusions = readExclusions();
const byName = new Map(eventDescriptors.map((d) => [d.name, d]));

describe("catalog coverage", () => {
  it("reads a non-trivial catalog and exclusion list", () => {
    expect(catalog.length).toBeGreaterThan(80);
    expect(exclusions.size).toBeGreaterThan(0);
  });

  it("has a message for every catalog event that is not excluded", () => {
    const missing = catalog.map((e) => e.name).filter((name) => !byName.has(name) && !exclusions.has(name));
    expect(missing).toEqual([]);
  });

  it("excludes only catalog events, each with a reason, none of them also in the registry", () => {
    const names = new Set(catalog.map((e) => e.name));
    for (const [name, reason] of exclusions) {
      expect(names.has(name), `${name} is not in the catalog`).toBe(true);
      expect(byName.has(name), `${name} is both excluded and in the registry`).toBe(false);
      expect(reason.length).toBeGreaterThan(20);
    }
  });

  it("has no event the catalog does not know", () => {
    const names = new Set(catalog.map((e) => e.name));
    expect(eventDescriptors.map((d) => d.name).filter((n) => !names.has(n))).toEqual([]);
  });

  it("gives every event the catalog's NApp and role", () => {
    const mismatches = catalog
      .filter((e) => byName.has(e.name))
      .map((e) => ({
        name: e.name,
        catalog: [e.napp, e.role],
        schema: [byName.get(e.name)?.napp, byName.get(e.name)?.role],
      }))
      .filter((m) => m.catalog.join() !== m.schema.join());
    expect(mismatches).toEqual([]);
  });

  it("keys every event the catalog keys", () => {
    const unkeyed = catalog
      .filter((e) => e.key !== "" && byName.get(e.name)?.keyTemplate === "")
      .map((e) => e.name);
    expect(unkeyed).toEqual([]);
  });

  it("adds keys the catalog lacks only to families, from their name placeholders", () => {
    const added = catalog.filter((e) => e.key === "" && byName.get(e.name)?.keyTemplate);
    for (const e of added) {
      const d = byName.get(e.name);
      expect(d?.placeholders, e.name).toBeDefined();
      for (const p of d?.placeholders ?? []) expect(d?.keyTemplate).toContain(`{${p}}`);
    }
  });
});
