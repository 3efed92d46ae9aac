// protoc-gen-kytos: reads the kytos.events.v1 custom options and generates the typed event
// registry and the envelope's specialised binary encoder next to protoc-gen-es's output (same
// target and import options).
import { createEcmaScriptPlugin, type Schema } from "@bufbuild/protoplugin";
import { emitEncoder } from "./emit-encoder.js";
import { emitRegistry } from "./emit-registry.js";
import { buildModel } from "./model.js";
import { findExtensions } from "./options.js";

/** Plugin version printed into the generated file's preamble. */
const version = "0.0.0";

interface Options {
  /** Full name of the envelope message whose `payload` oneof carries every event. */
  readonly envelope: string;
}

function parseOptions(raw: { key: string; value: string }[]): Options {
  let envelope = "kytos.events.v1.Envelope";
  for (const { key, value } of raw) {
    if (key !== "envelope") throw new Error(`unknown option "${key}" (known: envelope)`);
    envelope = value;
  }
  return { envelope };
}

function generateTs(schema: Schema<Options>): void {
  const extensions = findExtensions(schema.allFiles);
  const model = buildModel(schema.files, extensions, schema.options.envelope);
  emitRegistry(schema, model);
  emitEncoder(schema, model.envelope);
}

export const protocGenKytos = createEcmaScriptPlugin({
  name: "protoc-gen-kytos",
  version: `v${version}`,
  parseOptions,
  generateTs,
});
