// ensureRabbitMQ against the real local RabbitMQ: it reports what it found, and every way of
// pointing it at the wrong place fails at once with the URL (password masked) and a remedy.
import { describe, expect, it } from "vitest";
import { ensureRabbitMQ } from "./index.js";

const url = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";

describe("ensureRabbitMQ", () => {
  it("reports the running server's version without starting another", async () => {
    const info = await ensureRabbitMQ(url);
    expect(info).toMatchObject({ url, started: false });
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("rejects wrong credentials naming the URL with the password masked", async () => {
    const wrong = new URL(url);
    wrong.username = "guest";
    wrong.password = "not-the-password";
    const failure = ensureRabbitMQ(wrong.toString());
    await expect(failure).rejects.toThrow(/guest:\*\*\*@.*credentials/);
    await expect(failure).rejects.not.toThrow(/not-the-password/);
  });

  it("does not try to start a local server for an address no local default server would use", async () => {
    await expect(ensureRabbitMQ("amqp://guest:secret@127.0.0.1:1", 1000)).rejects.toThrow(
      /nothing accepts AMQP connections at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1/,
    );
  });

  it("rejects a URL that is not amqp:// before connecting", async () => {
    await expect(ensureRabbitMQ("http://guest:secret@127.0.0.1:5672")).rejects.toThrow(/not an amqp:\/\//);
    await expect(ensureRabbitMQ("127.0.0.1:5672 guest")).rejects.toThrow(/is not a URL/);
  });
});
