import { describe, expect, it } from "vitest";
import { maskUrl } from "./mask-url.js";

describe("maskUrl", () => {
  it("hides the password of a URL and keeps the rest", () => {
    expect(maskUrl("amqp://guest:s3cret@127.0.0.1:5672/vhost")).toBe("amqp://guest:***@127.0.0.1:5672/vhost");
  });
  it("leaves URLs without a password alone", () => {
    expect(maskUrl("amqp://127.0.0.1:5672")).toBe("amqp://127.0.0.1:5672");
  });
  it("hides user info even in strings that are not valid URLs", () => {
    expect(maskUrl("amqp://user:p@ss w@rd@host")).not.toContain("p@ss");
  });
});
