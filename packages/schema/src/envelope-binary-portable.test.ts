// The generated envelope encoder off Node.js: loaded where globalThis.Buffer does not exist, it
// measures and copies strings with its own loops, and must still write toBinary's bytes.
import { toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { type Envelope, EnvelopeSchema } from "./gen/kytos/events/v1/envelope_pb.js";
import { RandomMessages, seededRandom } from "./random-message.js";

type Encoder = typeof import("./gen/kytos/events/v1/envelope_binary.js");

/** The encoder module evaluated while Buffer is hidden (restored right after the import). */
async function loadWithoutBuffer(): Promise<Encoder> {
  const saved = globalThis.Buffer;
  Reflect.deleteProperty(globalThis, "Buffer");
  try {
    // A query makes it a second instance of the module, evaluated now, without Buffer.
    const specifier = "./gen/kytos/events/v1/envelope_binary.js?no-buffer";
    return (await import(specifier)) as Encoder;
  } finally {
    globalThis.Buffer = saved;
  }
}

describe("envelope binary encoder without Node's Buffer", () => {
  it("writes toBinary's bytes for seeded random envelopes of every event type", async () => {
    const { tryEnvelopeToBinary } = await loadWithoutBuffer();
    const random = new RandomMessages(seededRandom(7), { roundTrip: false });
    for (const field of EnvelopeSchema.oneofs[0]!.fields) {
      for (let i = 0; i < 4; i++) {
        const envelope = random.message(EnvelopeSchema);
        envelope.payload = {
          case: field.localName,
          value: random.message(field.message!),
        } as Envelope["payload"];
        const actual = tryEnvelopeToBinary(envelope);
        expect(actual, `${field.localName} #${i}: declined`).toBeDefined();
        expect(
          Buffer.from(actual!).equals(toBinary(EnvelopeSchema, envelope)),
          `${field.localName} #${i}`,
        ).toBe(true);
      }
    }
  });
});
