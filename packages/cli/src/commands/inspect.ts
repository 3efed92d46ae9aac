// `kytos-events inspect`: decode one message (base64, hex, or a file of raw bytes) and show
// its envelope and payload, or why it cannot be decoded.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { toJson } from "@bufbuild/protobuf";
import { ContentType, decodeEnvelope, Header } from "@kytos-events/core";
import { EnvelopeSchema } from "@kytos-events/schema";
import { CliError, ExitCode } from "../cli-error.js";

export const inspectHelp = `kytos-events inspect [--hex] [--json] MESSAGE
  Decode one message and print its envelope and payload as JSON.

  MESSAGE   base64 (default), hex with --hex, or @path to a file of raw bytes
  --hex     MESSAGE is hexadecimal
  --json    the bytes are Protobuf JSON (content type ${ContentType.Json}) instead of binary`;

function bytesOf(input: string, hex: boolean): Uint8Array {
  if (input.startsWith("@")) {
    try {
      return readFileSync(input.slice(1));
    } catch (e) {
      throw new CliError(`cannot read ${input.slice(1)}: ${(e as Error).message}`);
    }
  }
  const clean = input.replace(/\s+/g, "");
  if (hex) {
    if (!/^([0-9a-fA-F]{2})*$/.test(clean))
      throw new CliError("--hex MESSAGE must be an even number of hex digits.");
    return Buffer.from(clean, "hex");
  }
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean))
    throw new CliError("MESSAGE is not base64 (use --hex for hex, or @file).");
  return Buffer.from(clean, "base64");
}

export async function inspect(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { hex: { type: "boolean", default: false }, json: { type: "boolean", default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1)
    throw new CliError("inspect needs exactly one MESSAGE (base64, --hex, or @file).");
  const bytes = bytesOf(positionals[0]!, values.hex);
  const result = decodeEnvelope(bytes, {
    [Header.ContentType]: values.json ? ContentType.Json : ContentType.Protobuf,
  });
  if (result.ok) {
    out(
      JSON.stringify(
        { ok: true, bytes: bytes.byteLength, envelope: toJson(EnvelopeSchema, result.envelope) },
        null,
        2,
      ),
    );
    return ExitCode.Ok;
  }
  out(
    JSON.stringify(
      {
        ok: false,
        bytes: bytes.byteLength,
        reason: result.reason,
        code: result.error.code,
        message: result.error.message,
        ...(result.envelope ? { envelope: toJson(EnvelopeSchema, result.envelope) } : {}),
      },
      null,
      2,
    ),
  );
  return ExitCode.Partial;
}
