import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { EnvelopeSchema, fromKytosJson, SCHEMA_VERSION, TopologyLinkDownSchema } from "@kytos-events/schema";
import { kytosEventFixtures } from "@kytos-events/schema/fixtures";
import { describe, expect, it } from "vitest";
import { createEnvelope } from "../envelope/create-envelope.js";
import { Header } from "../transport/headers.js";
import type { DecodeFailure, DecodeResult } from "./decode-result.js";
import { ContentType, decodeEnvelope, encodeEnvelope } from "./envelope-codec.js";

const linkDown = createEnvelope({
  type: "kytos/topology.link_down",
  payload: create(TopologyLinkDownSchema, { link: { id: "link-1" } } as never),
  source: "kytos-test",
  sequence: 7n,
});

/** The failure of a result that must have failed (fails the test otherwise). */
function failed(result: DecodeResult): DecodeFailure {
  expect(result.ok, "decode should have failed").toBe(false);
  return result as DecodeFailure;
}

/** An envelope's bytes followed by one length-delimited field this schema has never used. */
function withUnknownPayloadField(envelopeBytes: Uint8Array): Uint8Array {
  const w = new BinaryWriter();
  w.raw(envelopeBytes);
  w.tag(999, WireType.LengthDelimited).bytes(new Uint8Array([0x08, 0x01]));
  return w.finish();
}

describe("envelope codec", () => {
  it("round-trips every controller fixture in binary and in JSON, with headers naming the content", () => {
    for (const fixture of kytosEventFixtures) {
      const payload = fromKytosJson(fixture.name as never, fixture.content);
      const envelope = createEnvelope({ type: fixture.name as never, payload, source: "s", sequence: 1n });
      for (const format of ["binary", "json"] as const) {
        const { value, headers } = encodeEnvelope(envelope, format);
        expect(headers[Header.ContentType]).toBe(format === "json" ? ContentType.Json : ContentType.Protobuf);
        expect(headers[Header.EventType]).toBe(fixture.name);
        expect(headers[Header.EventId]).toBe(envelope.id);
        expect(headers[Header.SchemaVersion]).toBe(String(SCHEMA_VERSION));
        expect(headers[Header.Source]).toBe("s");
        const result = decodeEnvelope(value, headers);
        expect(result.ok, `${fixture.name} ${format}`).toBe(true);
        if (result.ok) {
          expect(result.envelope).toEqual(envelope);
          expect(result.event.type).toBe(fixture.name);
          expect(result.event.case).toBe(envelope.payload.case);
          expect(result.event.value).toEqual(envelope.payload.value);
        }
      }
    }
  });

  it("writes binary envelopes byte for byte as toBinary does, for every controller fixture", () => {
    for (const [i, fixture] of kytosEventFixtures.entries()) {
      const payload = fromKytosJson(fixture.name as never, fixture.content);
      const envelope = createEnvelope({
        type: fixture.name as never,
        payload,
        source: "s",
        sequence: BigInt(i),
      });
      expect(encodeEnvelope(envelope).value, fixture.name).toEqual(toBinary(EnvelopeSchema, envelope));
    }
  });

  it("hands back the event narrowed by its case", () => {
    const result = decodeEnvelope(encodeEnvelope(linkDown).value);
    expect(result.ok).toBe(true);
    if (result.ok && result.event.case === "topologyLinkDown") {
      // Compiles only because `case` narrowed `value` to TopologyLinkDown.
      expect(result.event.value.link?.id).toBe("link-1");
      expect(result.event.type).toBe("kytos/topology.link_down");
    } else {
      expect.unreachable("a link_down event");
    }
  });

  it("reads a content type with parameters or in other case, and application/protobuf", () => {
    const json = encodeEnvelope(linkDown, "json").value;
    const binary = encodeEnvelope(linkDown).value;
    expect(decodeEnvelope(json, { [Header.ContentType]: "Application/JSON; charset=utf-8" }).ok).toBe(true);
    expect(decodeEnvelope(binary, { [Header.ContentType]: "application/protobuf" }).ok).toBe(true);
    expect(decodeEnvelope(binary).ok).toBe(true); // no header: binary
  });

  it("reports malformed bytes as a typed failure instead of throwing, keeping the raw bytes", () => {
    const bytes = new Uint8Array([0xff, 0xff, 0xff, 0x0f]);
    const f = failed(decodeEnvelope(bytes, { [Header.EventType]: "kytos/x" }));
    expect(f.reason).toBe("malformed");
    expect(f.error.code).toBe("KE_DECODE_FAILED");
    expect(f.error.message).toMatch(/4 bytes.*Dead-letter/);
    expect(f.type).toBe("kytos/x");
    expect(f.raw).toBe(bytes);
    expect(f.envelope).toBeUndefined();
  });

  it("reports invalid JSON and invalid UTF-8 as malformed", () => {
    const headers = { [Header.ContentType]: ContentType.Json };
    expect(failed(decodeEnvelope(new TextEncoder().encode("{not json"), headers)).reason).toBe("malformed");
    expect(failed(decodeEnvelope(new Uint8Array([0x7b, 0xff, 0x7d]), headers)).reason).toBe("malformed");
  });

  it("reports a content type it cannot read as unsupported-content-type, naming it", () => {
    const f = failed(decodeEnvelope(new Uint8Array([1]), { [Header.ContentType]: "text/plain" }));
    expect(f.reason).toBe("unsupported-content-type");
    expect(f.error.code).toBe("KE_DECODE_FAILED");
    expect(f.error.message).toContain('"text/plain"');
  });

  it("rejects bytes that decode to an envelope without id or type as malformed", () => {
    expect(failed(decodeEnvelope(new Uint8Array())).reason).toBe("malformed");
  });

  it("rejects an envelope whose type and payload contradict each other as malformed", () => {
    const lying = create(EnvelopeSchema, { ...linkDown, type: "kytos/topology.link_up" });
    const f = failed(decodeEnvelope(toBinary(EnvelopeSchema, lying)));
    expect(f.reason).toBe("malformed");
    expect(f.error.message).toContain("topologyLinkDown");
    expect(f.envelope?.id).toBe(linkDown.id);
  });

  it("reports a newer producer's event as unknown-event, keeping the envelope, its unknown field and the raw bytes", () => {
    const known = toBinary(
      EnvelopeSchema,
      create(EnvelopeSchema, {
        id: "01",
        type: "kytos/new.thing",
        source: "s",
        schemaVersion: SCHEMA_VERSION,
      }),
    );
    const bytes = withUnknownPayloadField(known);
    const f = failed(decodeEnvelope(bytes));
    expect(f.reason).toBe("unknown-event");
    expect(f.error.code).toBe("KE_UNKNOWN_EVENT_NAME");
    expect(f.type).toBe("kytos/new.thing");
    expect(f.envelope?.source).toBe("s");
    expect(f.raw).toBe(bytes);
    // Re-encoding the envelope (to forward it) keeps the payload this build cannot read.
    expect(toBinary(EnvelopeSchema, f.envelope!)).toEqual(bytes);
  });

  it("reports a JSON envelope with a payload field it does not know as unknown-event", () => {
    const json = JSON.parse(new TextDecoder().decode(encodeEnvelope(linkDown, "json").value));
    delete json.topologyLinkDown;
    json.newerEvent = { answer: 42 };
    const f = failed(
      decodeEnvelope(new TextEncoder().encode(JSON.stringify(json)), {
        [Header.ContentType]: ContentType.Json,
      }),
    );
    expect(f.reason).toBe("unknown-event");
    expect(f.type).toBe("kytos/topology.link_down");
  });

  it("reports a newer schema version as schema-too-new with the decoded envelope", () => {
    const newer = create(EnvelopeSchema, { ...linkDown, schemaVersion: SCHEMA_VERSION + 1 });
    const f = failed(decodeEnvelope(toBinary(EnvelopeSchema, newer)));
    expect(f.reason).toBe("schema-too-new");
    expect(f.error.code).toBe("KE_SCHEMA_TOO_NEW");
    expect(f.envelope?.payload.case).toBe("topologyLinkDown");
  });

  it("reports an unknown payload from a newer schema version as schema-too-new", () => {
    const newer = toBinary(
      EnvelopeSchema,
      create(EnvelopeSchema, { id: "01", type: "kytos/new.thing", schemaVersion: SCHEMA_VERSION + 1 }),
    );
    const f = failed(decodeEnvelope(withUnknownPayloadField(newer)));
    expect(f.reason).toBe("schema-too-new");
    expect(f.envelope?.payload.case).toBeUndefined();
  });
});
