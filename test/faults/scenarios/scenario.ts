// One fault scenario, end to end, on a broker the test owns: a consumer process starts, a
// producer process publishes RATE events/s for SECONDS, the scenario's fault runs alongside
// (it may kill, freeze or restart the broker, the consumers or the producer), then the run
// waits until every published event's side effect is in Redis, stops everything and reads
// the ledger. What it returns is checked by expectPromisesKept (promises.ts); its figures
// are printed as one line per scenario.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { type Child, type Report, startChild } from "./child.js";
import { appliedCount, dropLedger, type Ledger, readLedger } from "./ledger.js";

/** What a scenario does to a broker: KafkaBroker and RabbitMQNode from @kytos-events/brokers both fit. */
export interface FaultableBroker {
  kill(): Promise<void>;
  start(): Promise<void>;
  pause(): void;
  resume(): void;
}

export interface BrokerSetup {
  readonly kind: "kafka" | "amqp";
  readonly broker: FaultableBroker;
  /** What the child processes need to reach the broker (TRANSPORT and its settings). */
  env(): Record<string, string>;
  /** Makes the scenario's destination before anyone uses it. */
  prepare(destination: string): Promise<void>;
}

export interface ScenarioOptions {
  readonly name: string;
  readonly setup: BrokerSetup;
  readonly redis: Redis;
  readonly redisUrl: string;
  /** Seconds of traffic at `rate`. */
  readonly seconds: number;
  /** Events per second. Default 3100 (the seed's scenario b). */
  readonly rate?: number;
  /** Distinct link ids (keys). Default 64. */
  readonly keys?: number;
  /** How long a producer's close may send before it spools the rest, ms. Default 10 000. */
  readonly producerCloseTimeoutMs?: number;
  readonly fault: (run: ScenarioRun) => Promise<void>;
}

/** What a fault can do and see while traffic flows. */
export interface ScenarioRun {
  readonly setup: BrokerSetup;
  readonly consumers: Child[];
  /** Events published so far by every producer process of the scenario. */
  published(): number;
  /** Resolves once `seconds` of traffic are published (by count, so a slow machine does not skew it). */
  atTraffic(seconds: number): Promise<void>;
  startConsumer(): Promise<Child>;
  /**
   * SIGTERM to the producer (it closes with `producerCloseTimeoutMs`), then `between()`, then a
   * new one goes on from where it stopped.
   */
  restartProducer(between?: () => void | Promise<void>): Promise<void>;
  /** The fault is over (broker back, consumer restarted, …): recovery is measured from here. */
  recovered(): void;
  /** A figure for the scenario's line. */
  note(name: string, value: unknown): void;
}

export interface ScenarioResult {
  readonly name: string;
  /** Events published (and sequences handed out) in all. */
  readonly events: number;
  readonly ledger: Ledger;
  /** Final reports of every producer process ("closed"), in order. */
  readonly producers: Report[];
  /** Longest single publish call in any producer process, ms (wall clock). */
  readonly maxPublishMs: number;
  /** Most CPU time a single publish call used, ms. */
  readonly maxPublishCpuMs: number;
  /** Redeliveries the idempotency store recognised before the handler ran (SDK stats, summed over consumer processes). */
  readonly duplicatesSkipped: number;
  /** Seconds from the fault's end until every event published by then had its effect applied. */
  readonly recoverySeconds: number | undefined;
  readonly figures: Record<string, unknown>;
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const rate = options.rate ?? 3100;
  const keys = options.keys ?? 64;
  const total = Math.round(rate * options.seconds);
  const id = randomUUID().slice(0, 8);
  const name = `${options.setup.kind}-${options.name}-${id}`;
  const prefix = `kytos-events-test:faults:${name}`;
  const destination = `faults.${name}`;
  const dir = mkdtempSync(join(tmpdir(), "kytos-faults-"));
  const figures: Record<string, unknown> = {};
  const consumers: Child[] = [];
  const producers: Child[] = [];
  const began = performance.now();
  const children = () => [...consumers, ...producers];

  const consumerEnv = {
    ...options.setup.env(),
    DESTINATION: destination,
    GROUP: `faults-${name}`,
    REDIS_URL: options.redisUrl,
    PREFIX: prefix,
  };
  const producerEnv = {
    ...options.setup.env(),
    DESTINATION: destination,
    SOURCE: `ctl-${name}`,
    SEQUENCE_FILE: join(dir, "sequence.json"),
    SPOOL_DIR: join(dir, "spool"),
    RATE: String(rate),
    KEYS: String(keys),
    CLOSE_TIMEOUT_MS: String(options.producerCloseTimeoutMs ?? 10_000),
  };

  // Published so far: what the producers that ended reported, plus the current one's status.
  let publishedBefore = 0;
  const published = () => {
    const current = producers.at(-1);
    const r = current?.last("closed") ?? current?.last("flushed") ?? current?.last("status");
    return publishedBefore + Number(r?.published ?? 0);
  };

  const startConsumer = async () => {
    const child = startChild(`consumer ${consumers.length + 1}`, "./consumer-process.ts", consumerEnv);
    consumers.push(child);
    await child.waitFor((r) => r.kind === "started", "start", 90_000);
    return child;
  };
  const startProducer = async (count: number) => {
    const child = startChild(`producer ${producers.length + 1}`, "./producer-process.ts", {
      ...producerEnv,
      COUNT: String(count),
      START: String(publishedBefore),
    });
    producers.push(child);
    await child.waitFor((r) => r.kind === "ready", "ready", 90_000);
    return child;
  };

  // Applied effects over time, for the recovery figure and the longest stall.
  const samples: { at: number; applied: number }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      samples.push({ at: performance.now(), applied: await appliedCount(options.redis, prefix) });
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  let recoveredAt: { at: number; published: number } | undefined;

  try {
    await options.setup.prepare(destination);
    await startConsumer();
    await startProducer(total);
    const run: ScenarioRun = {
      setup: options.setup,
      consumers,
      published,
      async atTraffic(seconds) {
        const target = Math.min(total, Math.round(rate * seconds));
        const deadline = Date.now() + 180_000;
        while (published() < target) {
          if (Date.now() > deadline) throw new Error(`${name}: ${target} events not published in time`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      startConsumer,
      async restartProducer(between) {
        const old = producers.at(-1)!;
        await old.signal("SIGTERM");
        const closed = old.last("closed");
        if (!closed) throw new Error(`${name}: the producer did not report its close`);
        figures.producerClose = closed.close;
        await between?.();
        publishedBefore += Number(closed.published);
        await startProducer(total - publishedBefore);
      },
      recovered() {
        recoveredAt = { at: performance.now(), published: published() };
      },
      note(key, value) {
        figures[key] = value;
      },
    };
    await options.fault(run);

    // Every event published and settled by the producer, then every effect applied.
    const last = producers.at(-1)!;
    const flushed = await last.waitFor((r) => r.kind === "flushed", "flushed", 240_000);
    if (flushed.flushed !== true) throw new Error(`${name}: the producer could not flush`);
    const deadline = Date.now() + 180_000;
    while ((await appliedCount(options.redis, prefix)) < total) {
      if (Date.now() > deadline) {
        throw new Error(
          `${name}: ${await appliedCount(options.redis, prefix)} of ${total} effects applied after 180 s`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    figures.drainSeconds = round((performance.now() - flushed.at) / 1000);

    // Stop everything cleanly; the ledger is read once nothing can write to it any more.
    const stops = await Promise.all(consumers.filter((c) => c.running).map((c) => c.signal("SIGTERM")));
    figures.consumerExits = stops;
    await last.signal("SIGTERM");
    sampling = false;
    await sampler;
    const ledger = await readLedger(options.redis, prefix, total);
    const finals = producers.map((p) => p.last("closed") ?? p.last("flushed") ?? p.last("status")!);
    const maxPublishMs = Math.max(...finals.map((r) => Number(r.maxPublishMs ?? 0)));
    const maxPublishCpuMs = Math.max(...finals.map((r) => Number(r.maxPublishCpuMs ?? 0)));
    const duplicatesSkipped = consumers
      .map((c) => Number((c.last("stopped") ?? c.last("status"))?.duplicates ?? 0))
      .reduce((a, b) => a + b, 0);
    const recoverySeconds = recoveredAt ? recovery(samples, recoveredAt) : undefined;
    figures.consumers = consumers.map((c) => {
      const {
        kind: _k,
        at: _a,
        pid: _p,
        ...stats
      } = c.last("stopped") ?? c.last("status") ?? { kind: "", at: 0 };
      return stats;
    });
    const result: ScenarioResult = {
      name,
      events: total,
      ledger,
      producers: finals,
      maxPublishMs,
      maxPublishCpuMs,
      duplicatesSkipped,
      recoverySeconds,
      figures: {
        ...figures,
        longestStallSeconds: longestStall(samples),
        seconds: round((performance.now() - began) / 1000),
      },
    };
    print(options.name, options.setup.kind, result);
    return result;
  } finally {
    sampling = false;
    await sampler.catch(() => {});
    await Promise.all(children().map((c) => c.signal("SIGKILL")));
    await dropLedger(options.redis, prefix).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seconds from the fault's end until the applied effects reached what was published then. */
function recovery(samples: { at: number; applied: number }[], from: { at: number; published: number }) {
  const reached = samples.find((s) => s.at >= from.at && s.applied >= from.published);
  return reached ? round((reached.at - from.at) / 1000) : undefined;
}

/** The longest time no new effect was applied while some were still to come, seconds. */
function longestStall(samples: { at: number; applied: number }[]): number {
  let longest = 0;
  let since = samples[0]?.at ?? 0;
  for (let i = 1; i < samples.length; i++) {
    if (samples[i]!.applied > samples[i - 1]!.applied) {
      longest = Math.max(longest, samples[i]!.at - since);
      since = samples[i]!.at;
    }
  }
  return round(longest / 1000);
}

const round = (n: number) => Math.round(n * 100) / 100;

function print(scenario: string, kind: string, r: ScenarioResult): void {
  const p = r.producers;
  const spool = p.map(
    (x) => (x.lane as { spool?: { appended: number; replayed: number } } | undefined)?.spool,
  );
  const line = {
    events: r.events,
    applied: r.ledger.applied,
    lost: r.ledger.missing.length,
    appliedTwice: r.ledger.repeated.length,
    outOfOrderKeys: r.ledger.outOfOrder.length,
    handlerRuns: r.ledger.runs,
    duplicatesSkippedByCheck: r.duplicatesSkipped,
    duplicatesTurnedAwayByTransaction: r.ledger.runs - r.ledger.applied,
    gapEvents: r.ledger.gaps.length,
    gapSequences: r.ledger.gaps
      .map((g) => JSON.parse(g) as { from: string; to: string })
      .reduce((n, g) => n + Number(g.to) - Number(g.from) + 1, 0),
    recoverySeconds: r.recoverySeconds,
    maxPublishMs: round(r.maxPublishMs),
    maxPublishCpuMs: round(r.maxPublishCpuMs),
    p99PublishMs: p.map((x) => round(Number(x.p99PublishMs ?? 0))),
    producerRetries: p.map((x) => (x.lane as { retries?: number } | undefined)?.retries),
    spoolAppended: spool.map((s) => s?.appended ?? 0),
    spoolReplayed: spool.map((s) => s?.replayed ?? 0),
    ...r.figures,
  };
  console.info(`[faults] ${kind} ${scenario}: ${JSON.stringify(line)}`);
}
