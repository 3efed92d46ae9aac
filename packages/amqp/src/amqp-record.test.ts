import { Header } from "@kytos-events/core";
import type { ConsumeMessage } from "amqplib";
import { describe, expect, it } from "vitest";
import { attemptOf, headerStrings } from "./amqp-record.js";

const message = (redelivered: boolean) => ({ fields: { redelivered } }) as unknown as ConsumeMessage;

describe("attemptOf", () => {
  it("is 1 on a first delivery", () => {
    expect(attemptOf(message(false), {})).toBe(1);
  });

  it("counts a classic queue's redelivered flag as one more attempt", () => {
    expect(attemptOf(message(true), {})).toBe(2);
  });

  it("counts a quorum queue's x-delivery-count of redeliveries", () => {
    expect(attemptOf(message(true), { "x-delivery-count": "3" })).toBe(4);
  });

  it("starts from a retried copy's ke-attempt", () => {
    expect(attemptOf(message(false), { [Header.Attempt]: "3" })).toBe(3);
    expect(attemptOf(message(true), { [Header.Attempt]: "3", "x-delivery-count": "1" })).toBe(4);
  });

  it("ignores a malformed ke-attempt", () => {
    expect(attemptOf(message(false), { [Header.Attempt]: "soon" })).toBe(1);
  });
});

describe("headerStrings", () => {
  it("turns AMQP table values into strings and drops empty ones", () => {
    expect(
      headerStrings({
        s: "text",
        n: 7,
        b: Buffer.from("bytes"),
        t: true,
        list: [1, 2],
        none: null,
        u: undefined,
      }),
    ).toEqual({ s: "text", n: "7", b: "bytes", t: "true", list: "[1,2]" });
  });
});
