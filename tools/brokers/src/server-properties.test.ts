import { describe, expect, it } from "vitest";
import { renderServerProperties } from "./server-properties.js";

const parse = (text: string) =>
  Object.fromEntries(
    text
      .trim()
      .split("\n")
      .map((line) => line.split(/=(.*)/s).slice(0, 2)),
  );

describe("renderServerProperties", () => {
  const base = {
    nodeId: 1,
    host: "127.0.0.1",
    port: 19092,
    controllerPort: 19093,
    logDir: "/tmp/x",
    quorum: "dynamic",
  } as const;

  it("describes a single-node KRaft combined broker on the given loopback ports", () => {
    const p = parse(renderServerProperties(base));
    expect(p["process.roles"]).toBe("broker,controller");
    expect(p.listeners).toBe("PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093");
    expect(p["advertised.listeners"]).toBe("PLAINTEXT://127.0.0.1:19092");
    expect(p["controller.quorum.bootstrap.servers"]).toBe("127.0.0.1:19093");
    expect(p["controller.quorum.voters"]).toBeUndefined();
    expect(p["offsets.topic.replication.factor"]).toBe("1");
    expect(p["group.initial.rebalance.delay.ms"]).toBe("0");
    expect(p["auto.create.topics.enable"]).toBe("false");
  });

  it("declares the node as the only static voter for versions before dynamic quorums", () => {
    const p = parse(renderServerProperties({ ...base, quorum: "static" }));
    expect(p["controller.quorum.voters"]).toBe("1@127.0.0.1:19093");
    expect(p["controller.quorum.bootstrap.servers"]).toBeUndefined();
  });

  it("keeps the test-friendly defaults: replication 1, 3 partitions, the log cleaner on", () => {
    const p = parse(renderServerProperties(base));
    expect(p["transaction.state.log.replication.factor"]).toBe("1");
    expect(p["transaction.state.log.min.isr"]).toBe("1");
    expect(p["num.partitions"]).toBe("3");
    expect(p["log.cleaner.enable"]).toBe("true");
    expect(p["log.dirs"]).toBe("/tmp/x");
  });

  it("lets overrides replace defaults", () => {
    const p = parse(
      renderServerProperties({
        ...base,
        overrides: { "num.partitions": "1", "message.max.bytes": "2097152" },
      }),
    );
    expect(p["num.partitions"]).toBe("1");
    expect(p["message.max.bytes"]).toBe("2097152");
  });
});
