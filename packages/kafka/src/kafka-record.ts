// An inbound Kafka record with its settlement handle. Settlement is delegated to the
// subscription, which owns the offset tracker and the commits; only the first call counts.
import { ErrorCode, type InboundRecord, type Position, type RetryOptions } from "@kytos-events/core";
import type { IHeaders } from "kafkajs";

export type Settle = (record: KafkaRecord, how: Settlement) => Promise<void>;
export type Settlement =
  | { kind: "ack" }
  | { kind: "retry"; delayMs: number }
  | { kind: "dead-letter"; reason: string };

const decoder = new TextDecoder();

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) continue;
    out[name] = typeof value === "string" ? value : decoder.decode(value);
  }
  return out;
}

export class KafkaRecord implements InboundRecord {
  abandoned = false;
  private settlement: Promise<void> | undefined;

  constructor(
    private readonly settleWith: Settle,
    readonly destination: string,
    readonly partition: number,
    readonly key: string | undefined,
    readonly value: Uint8Array,
    readonly headers: Readonly<Record<string, string>>,
    readonly timestamp: number,
    readonly position: Position,
    readonly attempt: number,
  ) {}

  /** The same record, to be delivered again after a retry. */
  again(): KafkaRecord {
    return new KafkaRecord(
      this.settleWith,
      this.destination,
      this.partition,
      this.key,
      this.value,
      this.headers,
      this.timestamp,
      this.position,
      this.attempt + 1,
    );
  }

  ack(): Promise<void> {
    this.settlement ??= this.settleWith(this, { kind: "ack" });
    return this.settlement;
  }

  retry(options: RetryOptions = {}): Promise<void> {
    this.settlement ??= this.settleWith(this, { kind: "retry", delayMs: options.delayMs ?? 0 });
    return this.settlement;
  }

  deadLetter(reason: string): Promise<void> {
    this.settlement ??= this.settleWith(this, { kind: "dead-letter", reason }).catch((err: unknown) => {
      // The copy did not reach the dead-letter topic (broker away): the record is still
      // unsettled, so let the caller settle it again (retry or dead-letter) rather than
      // leave it pinning the partition's commit position. A revoked record stays settled-failed.
      if ((err as { code?: string }).code !== ErrorCode.Closed) this.settlement = undefined;
      throw err;
    });
    return this.settlement;
  }
}
