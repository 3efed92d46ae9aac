// The link-status table subscribes through the transport by itself and takes no metrics sink,
// so the transport it is given hands the monitor's sink to every subscription: the transport
// then reports consumer lag per partition (Kafka) or queue (RabbitMQ) of the status destination.
import type { Metrics, SubscribeOptions, Transport } from "@kytos-events/core";

/** `transport` with `metrics` added to each subscribe call that has none; everything else is the transport's own. */
export function withSubscriptionMetrics(transport: Transport, metrics: Metrics): Transport {
  // A Proxy rather than a new object: the transport stays what it is (instanceof, its own
  // methods bound to it), only `subscribe` changes.
  return new Proxy(transport, {
    get(target, property) {
      if (property === "subscribe") {
        return (options: SubscribeOptions) =>
          target.subscribe({ ...options, metrics: options.metrics ?? metrics });
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
