// kafka_events' records are read for their shape; anything else is named as not one.
import { describe, expect, it } from "vitest";
import { parseEventLogsRecord } from "./event-logs-record.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("parseEventLogsRecord", () => {
  it("reads the event name and the content as the controller serialised it", () => {
    const content = { link: { id: "l1" }, reason: "liveness down" };
    expect(
      parseEventLogsRecord(bytes(JSON.stringify({ event: "kytos/topology.link_down", message: content }))),
    ).toEqual({
      ok: true,
      name: "kytos/topology.link_down",
      content,
    });
    // str() fallback and missing content are the mapper's business, not a shape error.
    expect(parseEventLogsRecord(bytes('{"event": "kytos/core.shutdown"}'))).toEqual({
      ok: true,
      name: "kytos/core.shutdown",
      content: undefined,
    });
  });

  it.each([
    [new Uint8Array([0xc3, 0x28]), /not UTF-8/],
    [bytes("{"), /not JSON/],
    [bytes('"text"'), /expected a JSON object/],
    [bytes('{"event": 3, "message": {}}'), /"event" \(the event name\) is missing or not a string/],
  ])("names what is wrong with %s", (value, reason) => {
    const parsed = parseEventLogsRecord(value);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.reason).toMatch(reason);
  });
});
