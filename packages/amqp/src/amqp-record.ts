// An inbound RabbitMQ message with its settlement handle; settlement is delegated to the
// subscription that owns the channel. Only the first settlement counts.
import type { InboundRecord, Position, RetryOptions } from "@kytos-events/core";
import type { ConsumeMessage } from "amqplib";

export type Settlement =
  | { kind: "ack" }
  | { kind: "retry"; delayMs: number }
  | { kind: "dead-letter"; reason: string };

export class AmqpRecord implements InboundRecord {
  private settlement: Promise<void> | undefined;

  constructor(
    private readonly settleWith: (record: AmqpRecord, how: Settlement) => Promise<void>,
    readonly message: ConsumeMessage,
    readonly queue: string,
    readonly destination: string,
    readonly key: string | undefined,
    readonly headers: Readonly<Record<string, string>>,
    readonly timestamp: number,
    readonly position: Position,
    readonly attempt: number,
    /** The connection generation the message was delivered on. */
    readonly generation: number,
  ) {}

  get value(): Uint8Array {
    const c = this.message.content;
    return new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
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
    this.settlement ??= this.settleWith(this, { kind: "dead-letter", reason });
    return this.settlement;
  }
}
