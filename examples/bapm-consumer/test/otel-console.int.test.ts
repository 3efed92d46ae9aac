// `--otel-console` across two example processes on the real Kafka: the controller bridge
// publishes a POSTed link_down with a `send` span and the BAPM consumer handles it in a
// `process` span; both print their spans with the SDK's ConsoleSpanExporter, and the printed
// spans share one trace id, the process span's parent being the send span (the traceparent
// header crossed the broker between two processes).
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { linkJson } from "@kytos-events/schema/fixtures";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type ExampleProcess, startExample } from "../../../test/support/example-process.js";

const brokers = process.env.KAFKA_BROKERS!;
const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const run = randomUUID().replaceAll("-", "").slice(0, 8);
const prefix = `otel-${run}`;
const tables = `bapm_o${run}_`;
const dir = mkdtempSync(join(tmpdir(), "otel-console-"));
/** startExample finds the example from a test file's URL: the bridge's test folder. */
const bridgeTests = new URL("../../controller-bridge/test/bridge.int.test.ts", import.meta.url).href;
const processes: ExampleProcess[] = [];

/** A span as ConsoleSpanExporter prints it (util.inspect of an object, one top-level key a line). */
interface PrintedSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly messageId: string | undefined;
}

/** The spans in an output: each printed object starts with "{" and ends with "}" at column 0. */
function printedSpans(lines: readonly string[]): PrintedSpan[] {
  const spans: PrintedSpan[] = [];
  let block: string[] | undefined;
  for (const line of lines) {
    if (line === "{") block = [];
    else if (line === "}" && block) {
      const text = block.join("\n");
      const field = (re: RegExp) => re.exec(text)?.[1];
      const name = field(/^ {2}name: '([^']*)'/m);
      const traceId = field(/^ {2}traceId: '([0-9a-f]{32})'/m);
      const spanId = field(/^ {2}id: '([0-9a-f]{16})'/m);
      if (name && traceId && spanId) {
        spans.push({
          name,
          traceId,
          spanId,
          parentSpanId: field(/^ {2}parentSpanContext: \{[^}]*?spanId: '([0-9a-f]{16})'/m),
          messageId: field(/'messaging\.message\.id': '([^']*)'/),
        });
      }
      block = undefined;
    } else block?.push(line);
  }
  return spans;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterAll(async () => {
  for (const p of processes) await p.kill();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  await pool.query(
    ["circuit", "circuit_event", "link", "link_event", "handled"]
      .map((t) => `DROP TABLE IF EXISTS ${tables}${t};`)
      .join(""),
  );
  await pool.end();
  rmSync(dir, { recursive: true, force: true });
});

describe("--otel-console from the controller bridge into the BAPM consumer, on Kafka", () => {
  it("prints a send span (bridge) and a process span (BAPM) of one event sharing one trace id, the send span the parent", async () => {
    const configFile = join(dir, "bridge.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        source: `kytos-otel-${run}`,
        listen: { host: "127.0.0.1", port: 0 },
        transport: { kind: "kafka", brokers },
        routing: {
          nappDestination: `${prefix}.{topic}`,
          verboseDestination: `${prefix}.events`,
          statusDestination: `${prefix}.status.{entity}`,
        },
      }),
    );
    const bridge = startExample(bridgeTests, ["--config", configFile, "--otel-console"]);
    processes.push(bridge);
    const bapm = startExample(
      import.meta.url,
      [
        ...["--brokers", brokers, "--napp-destination", `${prefix}.{topic}`, "--table-prefix", tables],
        ...["--group", `otel-${run}`, "--stats-ms", "0", "--otel-console"],
      ],
      { DATABASE_URL: databaseUrl },
    );
    processes.push(bapm);
    const listening = await bridge.waitForLine((l) => l.includes("listening on"), "the bridge to listen");
    const url = /http:\/\/[\d.:]+/.exec(listening)![0];
    await bapm.waitForLine((l) => l.startsWith("bapm: consuming"), "BAPM to consume");

    const res = await fetch(`${url}/events?wait=durable`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "kytos/topology.link_down",
        content: { link: linkJson({ active: false, status: "DOWN" }), reason: "liveness down" },
      }),
    });
    const body = (await res.json()) as { delivered?: boolean; id: string };
    expect(res.status).toBe(200);
    expect(body.delivered).toBe(true);

    const send = await until("the bridge's send span", () =>
      printedSpans(bridge.stdout).find((s) => s.messageId === body.id),
    );
    const processed = await until("BAPM's process span", () =>
      printedSpans(bapm.stdout).find((s) => s.messageId === body.id),
    );
    // One event, several destinations on Kafka (NApp, verbose, status topics): the lane's span is "send".
    expect(send.name).toMatch(/^send( |$)/);
    expect(processed.name).toBe(`process ${prefix}.kytos.topology`);
    expect(processed.traceId).toBe(send.traceId);
    expect(processed.parentSpanId).toBe(send.spanId);

    expect(await bapm.stop("SIGTERM")).toBe(0);
    expect(await bridge.stop("SIGTERM")).toBe(0);
  });
});
