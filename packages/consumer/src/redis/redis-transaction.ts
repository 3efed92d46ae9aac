// The side effects of a transactional Redis handler: commands queued here instead of sent, so
// the store can apply them together with the mark of the event id in one atomic script.

export type RedisArgument = string | number;

export class RedisTransaction {
  /** Queued commands, each as [name, ...arguments]. */
  readonly commands: string[][] = [];

  /** Queues any Redis write, e.g. `tx.call("HINCRBY", "link:l1", "downs", 1)`. */
  call(command: string, ...args: RedisArgument[]): this {
    this.commands.push([command, ...args.map(String)]);
    return this;
  }
}
