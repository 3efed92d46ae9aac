// An inbound RabbitMQ message with its settlement handle. Settlement is carried out by the
// subscription that owns the channel; only the first call counts, later calls return its
// promise.
import { Header, type InboundRecord, type Position, type RetryOptions } from "@kytos-events/core";
import type { ConsumeMessage } from "amqplib";

export type Settlement =
  | { readonly kind: "ack" }
  | { readonly kind: "retry"; readonly delayMs: number; readonly reason: string | undefined }
  | { readonly kind: "dead-letter"; readonly reason: string };

export type Settle = (record: AmqpRecord, how: Settlement) => Promise<void>;

const decoder = new TextDecoder();
const ACK: Settlement = { kind: "ack" };

/** AMQP header table → strings (amqplib gives strings, numbers, Buffers for byte strings…). */
export function headerStrings(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in raw) {
    const v = raw[name];
    if (v === undefined || v === null) continue;
    out[name] =
      typeof v === "string"
        ? v
        : Buffer.isBuffer(v)
          ? decoder.decode(v)
          : typeof v === "object"
            ? JSON.stringify(v)
            : String(v);
  }
  return out;
}

/**
 * 1 on first delivery; the `ke-attempt` of a retried copy; plus the broker's redeliveries
 * (quorum queues count them in `x-delivery-count`, classic queues only flag `redelivered`).
 */
export function attemptOf(message: ConsumeMessage, headers: Readonly<Record<string, string>>): number {
  const base = Number(headers[Header.Attempt] ?? 1);
  const count = Number(headers["x-delivery-count"] ?? 0);
  const redeliveries = count > 0 ? count : message.fields.redelivered ? 1 : 0;
  return (Number.isFinite(base) && base >= 1 ? Math.floor(base) : 1) + redeliveries;
}

export class AmqpRecord implements InboundRecord {
  private settlement: Promise<void> | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly key: string | undefined;
  readonly timestamp: number;
  readonly attempt: number;

  constructor(
    private readonly settle: Settle,
    readonly message: ConsumeMessage,
    readonly queue: string,
    readonly destination: string,
    readonly position: Position,
    /** The consumer channel the message came on; settling needs that same channel. */
    readonly channelSerial: number,
  ) {
    this.headers = headerStrings(message.properties.headers as Record<string, unknown> | undefined);
    this.key = this.headers[Header.Key];
    // The AMQP timestamp property is POSIX seconds.
    const ts = message.properties.timestamp as unknown;
    this.timestamp = typeof ts === "number" ? ts * 1000 : Date.now();
    this.attempt = attemptOf(message, this.headers);
  }

  get value(): Uint8Array {
    const c = this.message.content;
    return new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
  }

  ack(): Promise<void> {
    this.settlement ??= this.settle(this, ACK);
    return this.settlement;
  }

  retry(options: RetryOptions = {}): Promise<void> {
    this.settlement ??= this.settle(this, {
      kind: "retry",
      delayMs: options.delayMs ?? 0,
      reason: options.reason,
    });
    return this.settlement;
  }

  deadLetter(reason: string): Promise<void> {
    this.settlement ??= this.settle(this, { kind: "dead-letter", reason });
    return this.settlement;
  }
}
