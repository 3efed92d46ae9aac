// The layering rule as a test: core (and the SDK packages above it) never import a broker
// client or a transport package, and core's own code uses no Kafka or AMQP vocabulary.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const packages = join(import.meta.dirname, "..", "..");

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === "node_modules" ? [] : sources(path);
    return /\.ts$/.test(entry) && !/\.test\.ts$/.test(entry) ? [path] : [];
  });
}

const FORBIDDEN_IMPORT =
  /from\s+["'](kafkajs|amqplib|@kytos-events\/(kafka|amqp))(\/[^"']*)?["']|require\(["'](kafkajs|amqplib)["']\)/;
const BROKER_WORDS = /\b(kafka|kafkajs|amqp|amqplib|rabbitmq|exchange|vhost)\b/i;

describe("layering", () => {
  for (const pkg of ["core", "producer", "consumer"]) {
    it(`${pkg} imports no broker client and no transport package`, () => {
      const offenders = sources(join(packages, pkg, "src")).filter((file) =>
        FORBIDDEN_IMPORT.test(readFileSync(file, "utf8")),
      );
      expect(offenders).toEqual([]);
    });
  }

  it("core's code (comments aside) uses no Kafka or AMQP words", () => {
    const offenders = sources(join(packages, "core", "src")).flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
        .filter((line) => BROKER_WORDS.test(line.replace(/\/\/.*$/, "")))
        .map((line) => `${file}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });
});
