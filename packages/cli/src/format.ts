// How decoded events are printed: one JSON object per line (for jq and scripts) or a
// fixed-width table for people.
import { toJson } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type Envelope, EnvelopeSchema } from "@kytos-events/schema";

export type OutputFormat = "json" | "table";

export function formatEvent(envelope: Envelope, destination: string, format: OutputFormat): string {
  if (format === "json") {
    return JSON.stringify({ destination, ...(toJson(EnvelopeSchema, envelope) as Record<string, unknown>) });
  }
  const at = envelope.occurredAt ? new Date(timestampMs(envelope.occurredAt)).toISOString() : "-";
  return `${at}  ${envelope.type.padEnd(44)}  ${(envelope.key || "-").slice(0, 40).padEnd(40)}  #${envelope.sequence}  ${envelope.source}`;
}

export function parseFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === "json" || value === "table") return value ?? "json";
  throw new Error(`--format must be json or table, got "${value}".`);
}
