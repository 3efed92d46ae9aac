// The plugin end to end on the real schema: its output is the committed registry, and schema
// mistakes fail generation with a message that says what to fix.
import { readFileSync } from "node:fs";
import path from "node:path";
import { FieldDescriptorProto_Type } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { encoderFileName } from "./emit-encoder.js";
import { registryFileName } from "./emit-registry.js";
import { protocGenKytos } from "./plugin.js";
import { buildImage, repoRoot, requestFor } from "./test-image.js";

describe("protoc-gen-kytos", () => {
  it("generates exactly the committed event registry and envelope encoder", () => {
    const response = protocGenKytos.run(requestFor(buildImage()));
    expect(response.error ?? "").toBe("");
    expect(response.file.map((f) => f.name)).toEqual([registryFileName, encoderFileName]);
    for (const file of response.file) {
      const committed = readFileSync(path.join(repoRoot, "packages/schema/src/gen", file.name), "utf8");
      expect(file.content, file.name).toBe(committed);
    }
  });

  it("fails when an event message is missing from the envelope's payload oneof", () => {
    const set = buildImage();
    const envelopeFile = set.file.find((f) => f.name === "kytos/events/v1/envelope.proto");
    const envelope = envelopeFile?.messageType.find((m) => m.name === "Envelope");
    if (!envelope) throw new Error("no Envelope");
    envelope.field = envelope.field.filter((f) => f.name !== "topology_link_up");
    expect(() => protocGenKytos.run(requestFor(set))).toThrow(
      /TopologyLinkUp is an event but no field of kytos.events.v1.Envelope.payload carries it/,
    );
  });

  it("fails generation, naming the field, where the specialised encoder cannot write a field", () => {
    const set = buildImage();
    const network = set.file.find((f) => f.name === "kytos/events/v1/network.proto");
    const entry = network?.messageType
      .find((m) => m.name === "Topology")
      ?.nestedType.find((m) => m.name === "SwitchesEntry");
    const key = entry?.field.find((f) => f.name === "key");
    if (!key) throw new Error("no Topology.SwitchesEntry.key");
    key.type = FieldDescriptorProto_Type.INT32;
    expect(() => protocGenKytos.run(requestFor(set))).toThrow(
      /kytos.events.v1.Topology.switches: the specialised encoder handles string map keys only/,
    );
  });

  it("rejects unknown plugin options", () => {
    const request = requestFor(buildImage());
    request.parameter += ",colour=blue";
    expect(() => protocGenKytos.run(request)).toThrow(/unknown option "colour"/);
  });
});
