// Test helpers: where the repository and the shared event catalog are. CI clones the repo with
// shared/ as a sibling, so the catalog is resolved from the repository root, never absolutely.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");
export const catalogDir = path.resolve(repoRoot, "../shared/kytos-events");

export interface CatalogEvent {
  readonly name: string;
  readonly napp: string;
  readonly role: string;
  readonly key: string;
  readonly content: Record<string, string>;
}

export function readCatalog(): { events: CatalogEvent[] } {
  return JSON.parse(readFileSync(path.join(catalogDir, "catalog.json"), "utf8")) as {
    events: CatalogEvent[];
  };
}

export function readSample(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(catalogDir, "samples", file), "utf8")) as Record<string, unknown>;
}

/** Event names listed under "## Excluded events" in proto/README.md, with their reasons. */
export function readExclusions(): Map<string, string> {
  const readme = readFileSync(path.join(repoRoot, "proto/README.md"), "utf8");
  const section = readme.split(/^## /m).find((s) => s.startsWith("Excluded events"));
  const out = new Map<string, string>();
  // Cells may be padded (the formatter aligns tables).
  for (const m of (section ?? "").matchAll(/^\|\s*`([^`]+)`\s*\|\s*(.+?)\s*\|$/gm)) {
    out.set(m[1] as string, m[2] as string);
  }
  return out;
}
