// The five fault scenarios as one vitest suite, declared by the Kafka and the RabbitMQ test
// files with their own broker: each file starts a broker of its own (so killing or freezing it
// disturbs no other test), and every scenario runs on it in turn, checked by
// expectPromisesKept.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll } from "./child.js";
import { brokerFrozen, brokerKilled, consumerKilled, type Fault, producerRestarted } from "./faults.js";
import { expectPromisesKept } from "./promises.js";
import { type BrokerSetup, runScenario } from "./scenario.js";

export interface SuiteBroker {
  readonly setup: BrokerSetup;
  destroy(): Promise<void>;
}

export interface SuiteOptions {
  /** Starts the suite's own broker. */
  readonly start: () => Promise<SuiteBroker>;
  /** Scenario 4 for this transport (rebalance on Kafka, single-active-consumer handover on RabbitMQ). */
  readonly secondConsumer: {
    readonly fault: Fault;
    readonly title: string;
    readonly gapEventsExpected: boolean;
  };
}

const TIMEOUT = 300_000;

export function describeFaultScenarios(title: string, options: SuiteOptions): void {
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  let redis: Redis;
  let broker: SuiteBroker | undefined;

  describe(title, () => {
    beforeAll(async () => {
      redis = new Redis(redisUrl);
      await redis.ping();
      broker = await options.start();
    });

    afterAll(async () => {
      killAll();
      await broker?.destroy();
      redis?.disconnect();
    });

    const run = (fault: Fault) => runScenario({ ...fault, setup: broker!.setup, redis, redisUrl });
    const promise = "nothing lost, each side effect once, per-key order kept, publish never blocked";

    it(`broker SIGKILLed mid-stream and restarted: ${promise}`, { timeout: TIMEOUT }, async () => {
      expectPromisesKept(await run(brokerKilled));
    });

    it(`broker frozen 20 s (SIGSTOP, SIGCONT): ${promise}`, { timeout: TIMEOUT }, async () => {
      expectPromisesKept(await run(brokerFrozen));
    });

    it(`consumer SIGKILLed mid-batch and restarted: ${promise}`, { timeout: TIMEOUT }, async () => {
      expectPromisesKept(await run(consumerKilled));
    });

    it(`${options.secondConsumer.title}: ${promise}`, { timeout: TIMEOUT }, async () => {
      expectPromisesKept(await run(options.secondConsumer.fault), {
        gapEventsExpected: options.secondConsumer.gapEventsExpected,
      });
    });

    it(`producer process restarted (sequence continues, spool replayed): ${promise}`, {
      timeout: TIMEOUT,
    }, async () => {
      const result = await run(producerRestarted);
      expectPromisesKept(result);
      // What the first process could not send went to its spool, and the second replayed it.
      const close = result.figures.producerClose as { lanes: { spooled: number }[] };
      const second = result.producers[1]!.lane as { spool: { replayed: number } };
      expect(close.lanes[0]!.spooled).toBeGreaterThan(0);
      expect(second.spool.replayed).toBeGreaterThanOrEqual(close.lanes[0]!.spooled);
    });
  });
}
