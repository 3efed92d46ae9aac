// Proves the harness: the integration project reaches a real RabbitMQ.
import { randomUUID } from "node:crypto";
import { connect } from "amqplib";
import { describe, expect, inject, it } from "vitest";

describe("RabbitMQ smoke", () => {
  it("publishes a persistent message on a confirm channel, waits for the confirm, consumes and acks it", async () => {
    const conn = await connect(inject("amqpUrl"));
    const queue = `smoke-${randomUUID()}`;
    try {
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue(queue, { durable: true });
      ch.publish("", queue, Buffer.from([0, 1, 2, 255]), {
        persistent: true,
        contentType: "application/x-protobuf",
        headers: { "ke-event-type": "kytos/topology.link_down" },
      });
      await ch.waitForConfirms();

      const got = await new Promise<{ content: number[]; header: unknown; contentType: unknown }>(
        (resolve) => {
          void ch.consume(queue, (msg) => {
            if (!msg) return;
            ch.ack(msg);
            resolve({
              content: [...msg.content],
              header: msg.properties.headers?.["ke-event-type"],
              contentType: msg.properties.contentType,
            });
          });
        },
      );
      expect(got).toEqual({
        content: [0, 1, 2, 255],
        header: "kytos/topology.link_down",
        contentType: "application/x-protobuf",
      });
      const check = await ch.checkQueue(queue);
      expect(check.messageCount).toBe(0);
      await ch.deleteQueue(queue);
    } finally {
      await conn.close();
    }
  });
});
