// The five faults of issue #11, as scenario options for runScenario, shared by the Kafka and
// the RabbitMQ test files. Each is bounded: a fixed number of events (RATE × seconds of
// traffic) and a fault placed by how much traffic has been published, not by the clock, so a
// slow machine shifts the timeline but not the scenario.
import type { ScenarioOptions, ScenarioRun } from "./scenario.js";

export type Fault = Pick<ScenarioOptions, "name" | "seconds" | "fault" | "producerCloseTimeoutMs">;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const since = (t: number) => Math.round((performance.now() - t) / 10) / 100;

/** 1. The broker is SIGKILLed mid-stream and started again on the same ports and data. */
export const brokerKilled: Fault = {
  name: "broker-sigkill",
  seconds: 15,
  async fault(run) {
    await run.atTraffic(5);
    const down = performance.now();
    await run.setup.broker.kill();
    await run.setup.broker.start();
    run.note("brokerDownSeconds", since(down));
    run.recovered();
  },
};

/** 2. The broker is frozen (SIGSTOP) for 20 s, then continued (SIGCONT): a network stall. */
export const brokerFrozen: Fault = {
  name: "broker-sigstop-20s",
  seconds: 24,
  async fault(run) {
    await run.atTraffic(2);
    run.setup.broker.pause();
    await sleep(20_000);
    run.setup.broker.resume();
    run.recovered();
  },
};

/** 3. The consumer process is SIGKILLed mid-batch and started again. */
export const consumerKilled: Fault = {
  name: "consumer-sigkill",
  seconds: 15,
  async fault(run) {
    await run.atTraffic(5);
    const killed = performance.now();
    await run.consumers[0]!.signal("SIGKILL");
    await run.startConsumer();
    run.note("consumerDownSeconds", since(killed));
    run.recovered();
  },
};

/**
 * 4a. Kafka: a second consumer joins the group mid-stream (the partitions are shared out), then
 * leaves (SIGTERM: it stops and commits, and its partitions go back to the first).
 */
export const consumerJoinsAndLeaves: Fault = {
  name: "second-consumer-joins-then-leaves",
  seconds: 16,
  async fault(run) {
    await run.atTraffic(4);
    const second = await run.startConsumer();
    await run.atTraffic(10);
    await second.signal("SIGTERM");
    run.note("secondConsumerHandled", second.last("stopped")?.handled);
    run.recovered();
  },
};

/**
 * 4b. RabbitMQ (single active consumer on the group's queue): a second consumer joins mid-stream
 * and waits as standby; the first then leaves (SIGTERM) and the queue is handed over to it.
 */
export const consumerHandover: Fault = {
  name: "second-consumer-joins-first-leaves",
  seconds: 16,
  async fault(run: ScenarioRun) {
    await run.atTraffic(4);
    const second = await run.startConsumer();
    await run.atTraffic(10);
    await run.consumers[0]!.signal("SIGTERM");
    run.note("firstConsumerHandled", run.consumers[0]!.last("stopped")?.handled);
    run.note("secondConsumerHandledAtHandover", second.last("status")?.handled);
    run.recovered();
  },
};

/**
 * 5. The producer process is restarted mid-stream while events wait for the broker (frozen for
 * 2 s, so ~6,000 are buffered): SIGTERM, a close that gives itself no time to send (what it
 * holds, including the send under way, goes to the front of its disk spool), then a new process
 * with the same sequence file and spool, which replays the spool first and numbers on from
 * where the first stopped.
 */
export const producerRestarted: Fault = {
  name: "producer-restart",
  seconds: 15,
  producerCloseTimeoutMs: 0,
  async fault(run) {
    await run.atTraffic(5);
    run.setup.broker.pause();
    await sleep(2000);
    const stopped = performance.now();
    await run.restartProducer(() => run.setup.broker.resume());
    run.note("producerDownSeconds", since(stopped));
    run.recovered();
  },
};
