import { ErrorCode, KytosEventsError, type OutboundRecord, SendError } from "@kytos-events/core";
import { describe, expect, it } from "vitest";
import { acceptedRecords, verdictsOf } from "./send-verdicts.js";

const record = (destination: string): OutboundRecord => ({
  destination,
  key: "k",
  value: new Uint8Array(),
  headers: {},
});
const unavailable = new KytosEventsError(ErrorCode.TransportUnavailable, "broker away");
const tooLarge = new KytosEventsError(ErrorCode.MessageTooLarge, "too large");

// Two events: #0 goes to a, b, c; #1 goes to a, b.
const records = ["a", "b", "c", "a", "b"].map(record);
const owners = [0, 0, 0, 1, 1];

describe("verdictsOf", () => {
  it("delivers every event when the send resolved", () => {
    expect(verdictsOf(2, records, owners, undefined)).toEqual([undefined, undefined]);
  });

  it("retries only the destinations that failed retriably, and the whole event when all did", () => {
    const error = new SendError(
      [
        { index: 1, retriable: true, error: unavailable },
        { index: 3, retriable: true, error: unavailable },
        { index: 4, retriable: true, error: unavailable },
      ],
      5,
    );
    expect(verdictsOf(2, records, owners, error)).toEqual([
      { retry: ["b"], error: unavailable },
      { retry: [], error: unavailable },
    ]);
  });

  it("fails an event when any of its records was refused for good", () => {
    const error = new SendError(
      [
        { index: 0, retriable: true, error: unavailable },
        { index: 2, retriable: false, error: tooLarge },
      ],
      5,
    );
    expect(verdictsOf(2, records, owners, error)).toEqual([{ failed: tooLarge }, undefined]);
  });

  it("applies any other rejection to the whole batch, by core's retriable classification", () => {
    expect(verdictsOf(2, records, owners, unavailable)).toEqual([
      { retry: [], error: unavailable },
      { retry: [], error: unavailable },
    ]);
    const verdicts = verdictsOf(2, records, owners, new Error("transport bug"));
    expect(verdicts).toEqual([
      { failed: expect.objectContaining({ code: "KE_SEND_REJECTED" }) },
      expect.anything(),
    ]);
  });
});

describe("acceptedRecords", () => {
  it("takes every record without an error, none after a whole-send failure, and the unnamed ones after per-record failures", () => {
    expect(acceptedRecords(3, undefined)).toEqual([0, 1, 2]);
    expect(acceptedRecords(3, unavailable)).toEqual([]);
    const partial = new SendError(
      [
        { index: 1, error: tooLarge, retriable: false },
        { index: 3, error: unavailable, retriable: true },
      ],
      4,
    );
    expect(acceptedRecords(4, partial)).toEqual([0, 2]);
  });
});
