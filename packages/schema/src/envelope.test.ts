// The envelope on the wire: it round-trips with every field, and a consumer built before an
// event type existed still decodes it, sees no payload case, and can route by `type`.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { EnvelopeSchema } from "./gen/kytos/events/v1/envelope_pb.js";
import { SCHEMA_VERSION } from "./gen/kytos/events/v1/event_registry.js";
import { fromKytosJson } from "./mapping/kytos-json.js";
import { getEventDescriptor } from "./registry.js";
import { readSample } from "./test-support.js";

describe("envelope", () => {
  const sample = readSample("link_down_event.json") as { name: "kytos/topology.link_down"; content: unknown };
  const payload = fromKytosJson(sample.name, sample.content);
  const envelope = create(EnvelopeSchema, {
    id: "01936b2e-8f3c-7a1b-9c2d-3e4f5a6b7c8d",
    type: sample.name,
    source: "kytos-ampath",
    sequence: 42n,
    occurredAt: timestampFromDate(new Date("2026-11-20T10:00:00Z")),
    key: getEventDescriptor(sample.name).key(payload),
    schemaVersion: SCHEMA_VERSION,
    payload: { case: "topologyLinkDown", value: payload },
  });

  it("round-trips through bytes", () => {
    const decoded = fromBinary(EnvelopeSchema, toBinary(EnvelopeSchema, envelope));
    expect(decoded).toEqual(envelope);
    expect(decoded.payload.case === "topologyLinkDown" && decoded.payload.value.link?.id).toBe(envelope.key);
  });

  it("still decodes an envelope whose payload is an event it does not know", () => {
    // A newer producer's event: payload field 199 does not exist in this schema.
    const bytes = toBinary(
      EnvelopeSchema,
      create(EnvelopeSchema, { ...envelope, payload: { case: undefined } }),
    );
    const writer = new BinaryWriter();
    writer.raw(bytes);
    writer.tag(199, WireType.LengthDelimited).bytes(new Uint8Array([10, 3, 97, 98, 99]));
    const decoded = fromBinary(EnvelopeSchema, writer.finish());
    expect(decoded.payload.case).toBeUndefined();
    expect(decoded.type).toBe("kytos/topology.link_down");
    expect(decoded.sequence).toBe(42n);
    expect(decoded.$unknown?.map((u) => u.no)).toEqual([199]);
  });
});
