// The generated envelope encoder (protoc-gen-kytos) writes exactly toBinary's bytes: on every
// controller fixture, and on seeded random envelopes of every event type with the edge values
// encoders get wrong. Where it cannot (a value outside the generated types) it declines and
// envelopeToBinary hands the message to toBinary.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { kytosEventFixtures } from "./fixtures/index.js";
import { envelopeToBinary, tryEnvelopeToBinary } from "./gen/kytos/events/v1/envelope_binary.js";
import { type Envelope, EnvelopeSchema } from "./gen/kytos/events/v1/envelope_pb.js";
import { SCHEMA_VERSION } from "./gen/kytos/events/v1/event_registry.js";
import { fromKytosJson } from "./mapping/kytos-json.js";
import { RandomMessages, seededRandom } from "./random-message.js";
import { getEventDescriptor } from "./registry.js";

/** Asserts the specialised encoder took the message (did not decline) and wrote toBinary's bytes. */
function expectSameBytes(envelope: Envelope, what: string): Uint8Array {
  const expected = toBinary(EnvelopeSchema, envelope);
  const actual = tryEnvelopeToBinary(envelope);
  expect(actual, `${what}: the specialised encoder declined`).toBeDefined();
  // Hex only on a mismatch: it makes the difference readable, and random envelopes are large.
  if (!Buffer.from(actual!).equals(expected)) {
    expect(Buffer.from(actual!).toString("hex"), what).toBe(Buffer.from(expected).toString("hex"));
  }
  return actual!;
}

function fixtureEnvelope(name: string, content: unknown, sequence: bigint): Envelope {
  const payload = fromKytosJson(name as never, content);
  const descriptor = getEventDescriptor(name as never);
  return create(EnvelopeSchema, {
    id: "01936b2e-8f3c-7a1b-9c2d-3e4f5a6b7c8d",
    type: name,
    source: "kytos-ampath",
    sequence,
    occurredAt: timestampFromMs(1_764_000_000_123),
    key: descriptor.key(payload as never),
    schemaVersion: SCHEMA_VERSION,
    payload: { case: descriptor.payloadCase, value: payload } as Envelope["payload"],
  });
}

/** Random envelopes: every payload case `perCase` times, plus envelopes without a payload. */
function* randomEnvelopes(seed: number, roundTrip: boolean, perCase: number): Generator<[Envelope, string]> {
  const random = new RandomMessages(seededRandom(seed), { roundTrip });
  const payloadFields = EnvelopeSchema.oneofs.find((o) => o.localName === "payload")!.fields;
  for (const field of payloadFields) {
    for (let i = 0; i < perCase; i++) {
      const envelope = random.message(EnvelopeSchema);
      envelope.payload = {
        case: field.localName,
        value: random.message(field.message!),
      } as Envelope["payload"];
      yield [envelope, `seed ${seed} ${field.localName} #${i}`];
    }
  }
  for (let i = 0; i < perCase; i++) {
    const envelope = random.message(EnvelopeSchema);
    envelope.payload = { case: undefined };
    yield [envelope, `seed ${seed} no payload #${i}`];
  }
}

describe("envelope binary encoder (generated)", () => {
  it("writes toBinary's bytes for every controller fixture, all event types", () => {
    const cases = new Set<string>();
    for (const [i, fixture] of kytosEventFixtures.entries()) {
      const envelope = fixtureEnvelope(fixture.name, fixture.content, BigInt(i + 1));
      expectSameBytes(envelope, fixture.name);
      cases.add(envelope.payload.case!);
    }
    const payloadCases = EnvelopeSchema.oneofs.find((o) => o.localName === "payload")!.fields;
    expect(cases.size).toBe(payloadCases.length);
  });

  it("writes toBinary's bytes for seeded random envelopes of every event type, edge values included", () => {
    let count = 0;
    for (const seed of [1, 2, 3]) {
      for (const [envelope, what] of randomEnvelopes(seed, false, 12)) {
        expectSameBytes(envelope, what);
        count++;
      }
    }
    expect(count).toBe(3 * 12 * (EnvelopeSchema.oneofs[0]!.fields.length + 1));
  });

  it("writes bytes that fromBinary decodes to an equal envelope (random round-trippable values)", () => {
    for (const [envelope, what] of randomEnvelopes(42, true, 6)) {
      const bytes = expectSameBytes(envelope, what);
      expect(fromBinary(EnvelopeSchema, bytes), what).toEqual(envelope);
    }
  });

  it("writes an envelope's unknown fields (a newer producer's payload) after its known ones, as toBinary does", () => {
    const unknownPayload = { no: 999, wireType: 2, data: new Uint8Array([0x02, 0x08, 0x01]) };
    const envelope = fixtureEnvelope(kytosEventFixtures[0]!.name, kytosEventFixtures[0]!.content, 1n);
    envelope.payload = { case: undefined };
    envelope.$unknown = [unknownPayload];
    const bytes = expectSameBytes(envelope, "unknown payload");
    expect(fromBinary(EnvelopeSchema, bytes).$unknown).toEqual([unknownPayload]);
  });

  it("declines values outside the generated types, and envelopeToBinary then gives toBinary's bytes or error", () => {
    const good = fixtureEnvelope(kytosEventFixtures[0]!.name, kytosEventFixtures[0]!.content, 1n);
    // toBinary accepts a decimal string for a uint64; the specialised encoder leaves it to toBinary.
    const stringSequence = { ...good, sequence: "18446744073709551615" as unknown as bigint };
    expect(tryEnvelopeToBinary(stringSequence)).toBeUndefined();
    expect(envelopeToBinary(stringSequence)).toEqual(toBinary(EnvelopeSchema, stringSequence));
    // A fraction in a uint32 and a foreign message are errors, and they stay toBinary's errors.
    const fraction = { ...good, schemaVersion: 1.5 };
    expect(tryEnvelopeToBinary(fraction)).toBeUndefined();
    expect(() => envelopeToBinary(fraction)).toThrow(
      /cannot encode field kytos.events.v1.Envelope.schema_version/,
    );
    const foreign = { ...good, occurredAt: { ...good.occurredAt!, $typeName: "google.protobuf.Duration" } };
    expect(tryEnvelopeToBinary(foreign as never)).toBeUndefined();
    expect(() => envelopeToBinary(foreign as never)).toThrow(/cannot use/);
  });

  it("gives the same bytes through envelopeToBinary as through the specialised path when it accepts", () => {
    const envelope = fixtureEnvelope(kytosEventFixtures[1]!.name, kytosEventFixtures[1]!.content, 7n);
    expect(envelopeToBinary(envelope)).toEqual(toBinary(EnvelopeSchema, envelope));
  });
});
