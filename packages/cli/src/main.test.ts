import { create, toBinary } from "@bufbuild/protobuf";
import { createEnvelope, encodeEnvelope } from "@kytos-events/core";
import { EnvelopeSchema, fromKytosJson } from "@kytos-events/schema";
import { kytosEventFixtures } from "@kytos-events/schema/fixtures";
import { describe, expect, it } from "vitest";
import { CliError } from "./cli-error.js";
import { main } from "./main.js";

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("kytos-events CLI", () => {
  it("prints usage and per-command help", async () => {
    expect((await run()).out).toContain("Commands:");
    for (const command of ["tail", "publish", "inspect", "links"]) {
      const { code, out } = await run(command, "--help");
      expect(code).toBe(0);
      expect(out).toContain(`kytos-events ${command}`);
    }
  });

  it("rejects an unknown command or flag as a usage error (exit 2)", async () => {
    await expect(run("tale")).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('unknown command "tale"'),
    });
    await expect(run("inspect", "--bogus", "x")).rejects.toBeInstanceOf(CliError);
  });

  it("inspects a base64 message and prints its envelope and payload", async () => {
    const fixture = kytosEventFixtures.find((f) => f.name === "kytos/topology.link_down")!;
    const envelope = createEnvelope({
      type: fixture.name,
      payload: fromKytosJson(fixture.name, fixture.content),
      source: "cli-test",
      sequence: 9n,
    });
    const { value } = encodeEnvelope(envelope);
    const { code, out } = await run("inspect", Buffer.from(value).toString("base64"));
    expect(code).toBe(0);
    const shown = JSON.parse(out);
    expect(shown.ok).toBe(true);
    expect(shown.envelope.type).toBe("kytos/topology.link_down");
    expect(shown.envelope.sequence).toBe("9");
    expect(shown.envelope.topologyLinkDown).toBeDefined();
  });

  it("inspects hex and explains a message it cannot decode (exit 1)", async () => {
    const bad = await run("inspect", "--hex", "ffff0f");
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({ ok: false, reason: "malformed", code: "KE_DECODE_FAILED" });
    const unknown = toBinary(
      EnvelopeSchema,
      create(EnvelopeSchema, { id: "x", type: "kytos/new.event", schemaVersion: 1 }),
    );
    const result = await run("inspect", "--hex", `${Buffer.from(unknown).toString("hex")}ba3e020801`);
    expect(JSON.parse(result.out)).toMatchObject({ ok: false, reason: "unknown-event" });
    await expect(run("inspect", "--hex", "xyz")).rejects.toMatchObject({ exitCode: 2 });
  });

  it("refuses to run a broker command without a broker (exit 2)", async () => {
    const saved = { k: process.env.KAFKA_BROKERS, a: process.env.AMQP_URL };
    delete process.env.KAFKA_BROKERS;
    delete process.env.AMQP_URL;
    try {
      await expect(run("tail")).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringContaining("no broker given"),
      });
    } finally {
      if (saved.k) process.env.KAFKA_BROKERS = saved.k;
      if (saved.a) process.env.AMQP_URL = saved.a;
    }
  });
});
