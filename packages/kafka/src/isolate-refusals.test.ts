// The re-send-in-parts logic, without a broker: `send` stands in for a produce request and
// refuses records the way kafkajs reports it (an error carrying Kafka's error type).
import type { OutboundRecord } from "@kytos-events/core";
import { describe, expect, it } from "vitest";
import { isolateRefusals, isPartialRefusal } from "./isolate-refusals.js";

const rec = (destination: string, size: number, key = `${destination}-${size}`): OutboundRecord => ({
  destination,
  key,
  value: new Uint8Array(size),
  headers: {},
});
const refusal = (type: string) => Object.assign(new Error(type), { name: "KafkaJSProtocolError", type });

/** A broker that refuses values over `max` bytes and topics in `gone`, request by request. */
function broker(max: number, gone: string[] = []) {
  const requests: string[][] = [];
  const send = async (records: readonly OutboundRecord[]) => {
    requests.push(records.map((r) => r.key));
    if (records.some((r) => gone.includes(r.destination))) throw refusal("UNKNOWN_TOPIC_OR_PARTITION");
    if (records.some((r) => r.value.byteLength > max)) throw refusal("MESSAGE_TOO_LARGE");
  };
  return { send, requests };
}

describe("isolateRefusals", () => {
  it("gives only the oversized record a refusal, re-sending record by record within its topic", async () => {
    const { send, requests } = broker(100);
    const records = [rec("a", 10, "a1"), rec("a", 500, "a2"), rec("a", 20, "a3"), rec("b", 30, "b1")];
    const errors = await isolateRefusals(records, send);
    expect(errors.map((e) => (e as { type?: string } | undefined)?.type)).toEqual([
      undefined,
      "MESSAGE_TOO_LARGE",
      undefined,
      undefined,
    ]);
    // Topic a as a whole, then each of its records; topic b in one request.
    expect(requests).toEqual([["a1", "a2", "a3"], ["a1"], ["a2"], ["a3"], ["b1"]]);
  });

  it("refuses every record of a topic that is gone, once, without record-by-record requests", async () => {
    const { send, requests } = broker(100, ["gone"]);
    const records = [rec("gone", 1, "g1"), rec("ok", 1, "o1"), rec("gone", 1, "g2")];
    const errors = await isolateRefusals(records, send);
    expect(errors.map((e) => (e as { type?: string } | undefined)?.type)).toEqual([
      "UNKNOWN_TOPIC_OR_PARTITION",
      undefined,
      "UNKNOWN_TOPIC_OR_PARTITION",
    ]);
    expect(requests).toEqual([["g1", "g2"], ["o1"]]);
  });

  it("throws an error that is not about the records (the broker went away): the batch fails whole", async () => {
    const away = Object.assign(new Error("Connection error"), { name: "KafkaJSConnectionError" });
    let calls = 0;
    const send = async () => {
      calls++;
      throw away;
    };
    await expect(isolateRefusals([rec("a", 1), rec("b", 1)], send)).rejects.toBe(away);
    expect(calls).toBe(1);
  });

  it("recognises refusals wrapped by kafkajs's retrier (in `cause`)", () => {
    const wrapped = Object.assign(new Error("retries exhausted"), {
      name: "KafkaJSNumberOfRetriesExceeded",
      cause: refusal("UNKNOWN_TOPIC_OR_PARTITION"),
    });
    expect(isPartialRefusal(wrapped)).toBe(true);
    expect(isPartialRefusal(new Error("plain"))).toBe(false);
  });
});
