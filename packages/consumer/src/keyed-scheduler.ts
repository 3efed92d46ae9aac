// Key-ordered concurrency: tasks with the same key run one at a time in submission order,
// tasks with different keys (or no key) run side by side up to a limit. This is how one
// partition or queue is processed faster than one record at a time without reordering the
// events of one link, switch or circuit.

type Task = () => Promise<void>;

interface KeyQueue {
  readonly tasks: Task[];
  head: number;
}

export class KeyedScheduler {
  private running = 0;
  private readonly queues = new Map<string, KeyQueue>();
  /** Keys with a task waiting for a free slot, in the order they became ready. */
  private readonly ready: string[] = [];
  private readyHead = 0;
  /** Keyless tasks waiting for a free slot. */
  private readonly loose: Task[] = [];
  private looseHead = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly concurrency: number) {}

  /** Tasks started and not yet finished. */
  get active(): number {
    return this.running;
  }

  /** Tasks submitted and not yet started. */
  get waiting(): number {
    return this.queued;
  }

  private queued = 0;
  private readonly runningKeys = new Set<string>();

  /** Queues `task` behind every earlier task of the same key; keyless tasks are unordered. */
  submit(key: string | undefined, task: Task): void {
    if (this.stopped) return;
    this.queued++;
    if (key === undefined || key === "") {
      this.loose.push(task);
    } else {
      let queue = this.queues.get(key);
      if (!queue) {
        queue = { tasks: [], head: 0 };
        this.queues.set(key, queue);
      }
      queue.tasks.push(task);
      // A key is "ready" only while nothing of it runs or waits: its first task.
      if (queue.tasks.length - queue.head === 1) this.ready.push(key);
    }
    this.pump();
  }

  /** Starts nothing more; tasks not started are dropped (their records stay unsettled). */
  stop(): void {
    this.stopped = true;
    this.queued = 0;
    this.loose.length = 0;
    this.looseHead = 0;
    this.ready.length = 0;
    this.readyHead = 0;
    for (const [key, queue] of this.queues) {
      // Keep only a running task (at the head) so its completion finds its queue.
      if (this.runningKeys.has(key)) queue.tasks.length = queue.head + 1;
      else this.queues.delete(key);
    }
  }

  /** Resolves when no task is running (after `stop`, when the in-flight ones finished). */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency && !this.stopped) {
      if (this.readyHead < this.ready.length) {
        const key = this.ready[this.readyHead++]!;
        this.compactReady();
        const queue = this.queues.get(key)!;
        this.start(queue.tasks[queue.head]!, key);
      } else if (this.looseHead < this.loose.length) {
        const task = this.loose[this.looseHead++]!;
        if (this.looseHead > 1024 && this.looseHead * 2 > this.loose.length) {
          this.loose.splice(0, this.looseHead);
          this.looseHead = 0;
        }
        this.start(task, undefined);
      } else {
        return;
      }
    }
  }

  private start(task: Task, key: string | undefined): void {
    this.running++;
    this.queued--;
    if (key !== undefined) this.runningKeys.add(key);
    let promise: Promise<void>;
    try {
      promise = task();
    } catch (err) {
      promise = Promise.reject(err);
    }
    // Tasks handle their own failures; a rejection here must not stall the key. One
    // reaction for both outcomes (not catch + finally): this runs once per record.
    const done = () => this.finish(key);
    promise.then(done, done);
  }

  private finish(key: string | undefined): void {
    this.running--;
    if (key !== undefined) {
      this.runningKeys.delete(key);
      const queue = this.queues.get(key);
      if (queue) {
        queue.head++;
        if (queue.head >= queue.tasks.length) {
          this.queues.delete(key);
        } else {
          if (queue.head > 64 && queue.head * 2 > queue.tasks.length) {
            queue.tasks.splice(0, queue.head);
            queue.head = 0;
          }
          if (!this.stopped) this.ready.push(key);
        }
      }
    }
    this.pump();
    if (this.running === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private compactReady(): void {
    if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready.splice(0, this.readyHead);
      this.readyHead = 0;
    }
  }
}
