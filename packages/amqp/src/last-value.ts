// Last-value queues: the broker keeps only the latest record of each key (link, switch,
// interface) of a compacted destination, so a consumer that starts late reads the current
// state of every entity without replaying history.
//
// Topology, for a compacted destination D on topic exchange E:
//   E ──(exchange binding per event prefix of D)──▶ headers exchange "E.last.D"
//   "E.last.D" ──(x-match all, ke-key = K)──▶ queue "D.last.K"   classic, x-max-length 1,
//                                                                 x-overflow drop-head
//   stream queue "D.directory": the names of D's last-value queues, appended once per queue.
// The producer still publishes each event once; the exchange binding and the headers match
// put a copy in the key's queue, where the new message pushes the old one out (drop-head).
// Classic queues, not quorum: one Raft group per link would be costly, and a last value is
// state the controller re-sends, not history. AMQP 0-9-1 cannot list queues, hence the
// directory: a stream, so any number of readers can read it without consuming it.
import { createHash, randomUUID } from "node:crypto";
import { type DestinationSpec, ErrorCode, Header, KytosEventsError } from "@kytos-events/core";
import type { Channel, ChannelModel, GetMessage } from "amqplib";
import { headerStrings } from "./amqp-record.js";
import type { ResolvedAmqpConfig } from "./config.js";
import { isNotFound } from "./map-error.js";
import type { Publisher } from "./publisher.js";
import { bindingOf, matchesPrefix } from "./routing-keys.js";
import { assertExchange, assertQueue, declare } from "./topology.js";

/** The latest record of one key of a compacted destination. */
export interface LastValue {
  readonly destination: string;
  readonly key: string;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch, as published. */
  readonly timestamp: number;
}

const MAX_NAME_BYTES = 255;
const MARKER = "ke-directory-marker";

export const lastValueExchangeOf = (exchange: string, destination: string): string =>
  `${exchange}.last.${destination}`;
export const directoryOf = (destination: string): string => `${destination}.directory`;

/** The key's queue name; keys too long for a queue name are hashed. */
export function lastValueQueueOf(destination: string, key: string): string {
  const name = `${destination}.last.${key}`;
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  return `${destination}.last.sha256-${createHash("sha256").update(key).digest("hex")}`;
}

export class LastValues {
  private specs: DestinationSpec[] = [];
  private readonly byEventType = new Map<string, readonly string[]>();
  private readonly declared = new Map<string, Promise<void>>();

  constructor(
    private readonly config: ResolvedAmqpConfig,
    private readonly publisher: Publisher,
  ) {}

  /** Declares the headers exchange, its bindings and the directory of a compacted destination. */
  async declareDestination(model: ChannelModel, spec: DestinationSpec): Promise<void> {
    const exchange = lastValueExchangeOf(this.config.exchange, spec.name);
    await declare(model, async (ch) => {
      await assertExchange(ch, exchange, "headers");
      for (const pattern of new Set((spec.eventPrefixes ?? []).map(bindingOf))) {
        await ch.bindExchange(exchange, this.config.exchange, pattern);
      }
      await assertQueue(ch, directoryOf(spec.name), {
        durable: true,
        arguments: { "x-queue-type": "stream" },
      });
    });
    this.specs = [...this.specs.filter((s) => s.name !== spec.name), spec];
    this.byEventType.clear();
  }

  /** Forget which queues exist (after a reconnect someone may have deleted one). */
  reset(): void {
    this.declared.clear();
  }

  /** Compacted destinations an event of this type flows into, by the bindings' rule. */
  destinationsFor(eventType: string): readonly string[] {
    let names = this.byEventType.get(eventType);
    if (!names) {
      names = this.specs
        .filter((s) => (s.eventPrefixes ?? []).some((p) => matchesPrefix(eventType, p)))
        .map((s) => s.name);
      this.byEventType.set(eventType, names);
    }
    return names;
  }

  /**
   * Makes sure the key's last-value queue exists and is bound before a record of it is
   * published (a message reaching the headers exchange with no queue for its key is dropped).
   */
  ensureKey(model: ChannelModel, destination: string, key: string): Promise<void> {
    const queue = lastValueQueueOf(destination, key);
    let done = this.declared.get(queue);
    if (!done) {
      done = this.declareKey(model, destination, key, queue);
      this.declared.set(queue, done);
      done.catch(() => this.declared.delete(queue));
    }
    return done;
  }

  private async declareKey(
    model: ChannelModel,
    destination: string,
    key: string,
    queue: string,
  ): Promise<void> {
    const exists = await declare(model, (ch) => ch.checkQueue(queue)).then(
      () => true,
      (err: unknown) => {
        if (isNotFound(err)) return false;
        throw err;
      },
    );
    if (!exists) {
      // Directory first: a directory entry without its queue is skipped by readers, a queue
      // missing from the directory would be invisible to them.
      const [outcome] = await this.publisher.publish([
        { exchange: "", routingKey: directoryOf(destination), content: Buffer.from(queue), options: {} },
      ]);
      if (outcome?.error) throw outcome.error;
    }
    await declare(model, async (ch) => {
      await assertQueue(ch, queue, {
        durable: true,
        arguments: {
          "x-queue-type": "classic",
          "x-max-length": 1,
          "x-overflow": "drop-head",
          ...(this.config.queueExpiresMs !== undefined ? { "x-expires": this.config.queueExpiresMs } : {}),
        },
      });
      await ch.bindQueue(queue, lastValueExchangeOf(this.config.exchange, destination), "", {
        "x-match": "all",
        [Header.Key]: key,
      });
    });
  }
}

/** The queue names in a destination's directory, read up to a marker this call appends. */
async function readDirectory(
  model: ChannelModel,
  publisher: Publisher,
  destination: string,
): Promise<string[]> {
  const directory = directoryOf(destination);
  const marker = randomUUID();
  const [outcome] = await publisher.publish([
    {
      exchange: "",
      routingKey: directory,
      content: Buffer.alloc(0),
      options: { headers: { [MARKER]: marker } },
    },
  ]);
  if (outcome?.error) throw outcome.error;
  const names = new Set<string>();
  const ch = await model.createChannel();
  ch.on("error", () => {});
  try {
    await ch.prefetch(1000);
    await new Promise<void>((resolve, reject) => {
      ch.on("close", () =>
        reject(new KytosEventsError(ErrorCode.TransportUnavailable, `reading ${directory}: channel closed.`)),
      );
      ch.consume(
        directory,
        (msg) => {
          if (!msg) return;
          ch.ack(msg);
          const m = msg.properties.headers?.[MARKER];
          if (m === undefined) names.add(msg.content.toString());
          else if (String(m) === marker) resolve();
        },
        { noAck: false, arguments: { "x-stream-offset": "first" } },
      ).catch(reject);
    });
  } finally {
    await ch.close().catch(() => {});
  }
  return [...names];
}

/** Reads, without consuming, the last value of every key of a compacted destination. */
export async function readLastValues(
  model: ChannelModel,
  publisher: Publisher,
  destination: string,
): Promise<LastValue[]> {
  const queues = await readDirectory(model, publisher, destination);
  const values: LastValue[] = [];
  let ch: Channel | undefined;
  try {
    for (const queue of queues) {
      ch ??= await openReader(model);
      let last: GetMessage | false = false;
      try {
        // Normally one message; two when a reader's requeue raced a new publish: the later wins.
        for (let m = await ch.get(queue, { noAck: false }); m; m = await ch.get(queue, { noAck: false }))
          last = m;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        ch = undefined; // the 404 closed it; the entry's queue expired or was never made
        continue;
      }
      if (last) values.push(toLastValue(destination, last));
    }
  } finally {
    // Closing the channel requeues every message read: the last values stay for the next reader.
    await ch?.close().catch(() => {});
  }
  return values;
}

async function openReader(model: ChannelModel): Promise<Channel> {
  const ch = await model.createChannel();
  ch.on("error", () => {});
  return ch;
}

function toLastValue(destination: string, msg: GetMessage): LastValue {
  const headers = headerStrings(msg.properties.headers as Record<string, unknown> | undefined);
  const c = msg.content;
  return {
    destination,
    key: headers[Header.Key] ?? "",
    value: new Uint8Array(c.buffer, c.byteOffset, c.byteLength),
    headers,
    timestamp: typeof msg.properties.timestamp === "number" ? msg.properties.timestamp * 1000 : 0,
  };
}
