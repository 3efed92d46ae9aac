import { create, toBinary } from "@bufbuild/protobuf";
import { EnvelopeSchema, fromKytosJson, SCHEMA_VERSION, TopologyLinkDownSchema } from "@kytos-events/schema";
import { kytosEventFixtures } from "@kytos-events/schema/fixtures";
import { describe, expect, it } from "vitest";
import { createEnvelope } from "../envelope/create-envelope.js";
import { Header } from "../transport/headers.js";
import { ContentType, decodeEnvelope, encodeEnvelope } from "./envelope-codec.js";

const linkDown = createEnvelope({
  type: "kytos/topology.link_down",
  payload: create(TopologyLinkDownSchema, {}),
  source: "kytos-test",
  sequence: 7n,
});

describe("envelope codec", () => {
  it("round-trips every controller fixture in binary and in JSON, with headers naming the content", () => {
    for (const fixture of kytosEventFixtures) {
      const payload = fromKytosJson(fixture.name as never, fixture.content);
      const envelope = createEnvelope({ type: fixture.name as never, payload, source: "s", sequence: 1n });
      for (const format of ["binary", "json"] as const) {
        const { value, headers } = encodeEnvelope(envelope, format);
        expect(headers[Header.ContentType]).toBe(format === "json" ? ContentType.Json : ContentType.Protobuf);
        expect(headers[Header.EventType]).toBe(fixture.name);
        const result = decodeEnvelope(value, headers);
        expect(result.ok, `${fixture.name} ${format}`).toBe(true);
        if (result.ok) expect(result.envelope).toEqual(envelope);
      }
    }
  });

  it("reports malformed bytes as a typed failure instead of throwing", () => {
    const result = decodeEnvelope(new Uint8Array([0xff, 0xff, 0xff, 0x0f]), {
      [Header.EventType]: "kytos/x",
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe("malformed");
      expect(result.error.code).toBe("KE_DECODE_FAILED");
      expect(result.type).toBe("kytos/x");
    }
  });

  it("reports invalid JSON and an unsupported content type", () => {
    const bad = decodeEnvelope(new TextEncoder().encode("{not json"), {
      [Header.ContentType]: ContentType.Json,
    });
    expect(bad.ok || bad.reason).toBe("malformed");
    const other = decodeEnvelope(new Uint8Array(), { [Header.ContentType]: "text/plain" });
    expect(other.ok || other.reason).toBe("unsupported-content-type");
  });

  it("reports an envelope with a payload this build does not know as unknown-event, keeping the envelope", () => {
    // A newer producer's event: a payload field number this schema has never used.
    const known = toBinary(
      EnvelopeSchema,
      create(EnvelopeSchema, { id: "01", type: "kytos/new.thing", schemaVersion: SCHEMA_VERSION }),
    );
    const unknownField = new Uint8Array([0xba, 0x3e, 0x02, 0x08, 0x01]); // field 999, length 2: {1: 1}
    const bytes = new Uint8Array([...known, ...unknownField]);
    const result = decodeEnvelope(bytes);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe("unknown-event");
      expect(result.type).toBe("kytos/new.thing");
      expect(result.envelope?.type).toBe("kytos/new.thing");
    }
  });

  it("reports a newer schema version as schema-too-new with the decoded envelope", () => {
    const newer = create(EnvelopeSchema, { ...linkDown, schemaVersion: SCHEMA_VERSION + 1 });
    const result = decodeEnvelope(toBinary(EnvelopeSchema, newer));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe("schema-too-new");
      expect(result.error.code).toBe("KE_SCHEMA_TOO_NEW");
      expect(result.envelope?.payload.case).toBe("topologyLinkDown");
    }
  });

  it("rejects bytes that decode to an envelope without id or type", () => {
    const result = decodeEnvelope(new Uint8Array());
    expect(result.ok || result.reason).toBe("malformed");
  });
});
