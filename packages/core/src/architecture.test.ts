// The layering rule as a test: core (and the SDK packages above it) never import a broker
// client or a transport package, and core's own code uses no Kafka or AMQP vocabulary.
// Failures name the file (and line) that broke the rule.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const packages = join(import.meta.dirname, "..", "..");
const root = join(packages, "..");

const isTest = (file: string) => /\.(int\.)?test(-d)?\.ts$/.test(file);

function sources(dir: string, withTests: boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === "node_modules" ? [] : sources(path, withTests);
    return /\.[cm]?ts$/.test(entry) && (withTests || !isTest(entry)) ? [path] : [];
  });
}

const BROKER_MODULE = String.raw`(?:kafkajs|amqplib|@kytos-events\/(?:kafka|amqp))(?:\/[^"']*)?`;
// Static imports and re-exports, side-effect imports, dynamic import() and require().
const FORBIDDEN_IMPORT = new RegExp(
  String.raw`(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']${BROKER_MODULE}["']`,
);
const BROKER_WORDS = /\b(kafka|kafkajs|amqps?|amqplib|rabbit|rabbitmq|exchange|vhost|zookeeper|kraft)\b/i;

const offendingImports = (files: string[]) =>
  files.flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .flatMap((line, i) =>
        FORBIDDEN_IMPORT.test(line) ? [`${relative(root, file)}:${i + 1}: ${line.trim()}`] : [],
      ),
  );

describe("layering", () => {
  it("recognises every way of importing a broker module (so the checks below are not vacuous)", () => {
    for (const line of [
      'import { Kafka } from "kafkajs";',
      "import type { Channel } from 'amqplib';",
      'export * from "@kytos-events/amqp";',
      'import "kafkajs/some/path";',
      'const m = await import("@kytos-events/kafka");',
      'const a = require("amqplib");',
    ]) {
      expect(FORBIDDEN_IMPORT.test(line), line).toBe(true);
    }
    for (const line of [
      'import { x } from "@kytos-events/kafkaesque";',
      'const kafka = "a memory broker";',
    ]) {
      expect(FORBIDDEN_IMPORT.test(line), line).toBe(false);
    }
    expect(BROKER_WORDS.test("const exchange = channel.assertExchange()")).toBe(true);
    expect(BROKER_WORDS.test("const topicPartitions = 3")).toBe(false);
  });

  it("core (tests included) imports no broker client and no transport package", () => {
    // This file is left out: its samples above are broker imports on purpose.
    const files = sources(join(packages, "core", "src"), true).filter((f) => f !== import.meta.filename);
    expect(offendingImports(files)).toEqual([]);
  });

  it("core's package.json depends on no broker client or transport package", () => {
    const manifest = JSON.parse(readFileSync(join(packages, "core", "package.json"), "utf8")) as Record<
      string,
      Record<string, string> | undefined
    >;
    const deps = ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"].flatMap(
      (k) => Object.keys(manifest[k] ?? {}),
    );
    expect(deps.filter((d) => new RegExp(`^${BROKER_MODULE}$`).test(d))).toEqual([]);
  });

  for (const pkg of ["producer", "consumer"]) {
    it(`${pkg} (outside its tests) imports no broker client and no transport package`, () => {
      // Absent packages have nothing to check yet; present ones are scanned in full.
      expect(offendingImports(sources(join(packages, pkg, "src"), false))).toEqual([]);
    });
  }

  it("core's code (comments aside) uses no Kafka or AMQP words", () => {
    const offenders = sources(join(packages, "core", "src"), false).flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, i) => {
          if (/^\s*(\/\/|\*|\/\*)/.test(line)) return [];
          return BROKER_WORDS.test(line.replace(/\/\/.*$/, ""))
            ? [`${relative(root, file)}:${i + 1}: ${line.trim()}`]
            : [];
        }),
    );
    expect(offenders).toEqual([]);
  });
});
