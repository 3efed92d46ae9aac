// The copies settlement publishes: a retry copy (ke-attempt + 1) for the group's queue or its
// delay queue, and a dead-letter copy with the reason, origin and time. Both keep the value,
// the key and the application's headers, and drop the broker's own bookkeeping headers.
import { Header } from "@kytos-events/core";
import type { Publication } from "./publisher.js";

/** What a copy is made from: a delivered message or a snapshot record. */
export interface CopySource {
  readonly queue: string;
  readonly destination: string;
  readonly content: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string | undefined;
  /** AMQP timestamp property (POSIX seconds). */
  readonly timestamp: number | undefined;
  readonly attempt: number;
}

// Set by the broker; a copy inheriting a stale x-delivery-count would count phantom redeliveries.
const BROKER_HEADERS = [
  "x-delivery-count",
  "x-death",
  "x-first-death-exchange",
  "x-first-death-queue",
  "x-first-death-reason",
  "x-last-death-exchange",
  "x-last-death-queue",
  "x-last-death-reason",
];

/** Through the default exchange, straight into `queue` (the group's queue or a delay queue). */
export function retryCopy(source: CopySource, queue: string): Publication {
  const headers = { ...applicationHeaders(source.headers), [Header.Attempt]: String(source.attempt + 1) };
  return {
    exchange: "",
    routingKey: queue,
    content: source.content,
    options: { ...properties(source), headers },
  };
}

/** To the dead-letter queue, through the direct exchange it is bound on by name. */
export function deadLetterCopy(
  source: CopySource,
  exchange: string,
  deadLetterQueue: string,
  reason: string,
  now = new Date(),
): Publication {
  return {
    exchange,
    routingKey: deadLetterQueue,
    content: source.content,
    options: {
      ...properties(source),
      headers: {
        ...applicationHeaders(source.headers),
        [Header.DeadLetterReason]: reason,
        [Header.DeadLetterOrigin]: `${source.destination} (queue ${source.queue})`,
        [Header.DeadLetterAt]: now.toISOString(),
        [Header.Attempt]: String(source.attempt),
      },
    },
  };
}

function applicationHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const copy: Record<string, string> = { ...headers };
  for (const h of BROKER_HEADERS) delete copy[h];
  return copy;
}

function properties(source: CopySource): { contentType?: string; timestamp?: number } {
  return {
    ...(source.contentType ? { contentType: source.contentType } : {}),
    ...(source.timestamp !== undefined ? { timestamp: source.timestamp } : {}),
  };
}
