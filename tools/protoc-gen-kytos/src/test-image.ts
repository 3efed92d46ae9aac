// Test helper: the kytos.events.v1 module compiled by buf into descriptors, as buf would hand
// them to the plugin, so plugin tests run on the real schema.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { clone, create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import {
  type CodeGeneratorRequest,
  CodeGeneratorRequestSchema,
  type FileDescriptorSet,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";

export const repoRoot = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");

let cached: FileDescriptorSet | undefined;

export function buildImage(): FileDescriptorSet {
  if (!cached) {
    const buf = path.join(repoRoot, "node_modules/.bin/buf");
    const bytes = execFileSync(buf, ["build", "proto", "-o", "-#format=binpb"], { cwd: repoRoot });
    cached = fromBinary(FileDescriptorSetSchema, new Uint8Array(bytes));
  }
  // Tests mutate descriptors; each gets its own copy.
  return clone(FileDescriptorSetSchema, cached);
}

export function registryOf(set: FileDescriptorSet) {
  return createFileRegistry(set);
}

/** A request for the module's own files, with the parameters buf.gen.yaml passes. */
export function requestFor(set: FileDescriptorSet): CodeGeneratorRequest {
  return create(CodeGeneratorRequestSchema, {
    parameter: "target=ts,import_extension=js",
    fileToGenerate: set.file.map((f) => f.name).filter((n) => n.startsWith("kytos/")),
    protoFile: set.file,
  });
}
