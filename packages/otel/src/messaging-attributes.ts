// The OpenTelemetry messaging semantic conventions' names that the publish and process spans
// use, and the mapping from a kytos-events transport kind to `messaging.system`.

export const Attr = {
  System: "messaging.system",
  OperationName: "messaging.operation.name",
  OperationType: "messaging.operation.type",
  DestinationName: "messaging.destination.name",
  MessageId: "messaging.message.id",
  BodySize: "messaging.message.body.size",
  ConsumerGroup: "messaging.consumer.group.name",
  KafkaMessageKey: "messaging.kafka.message.key",
  ErrorType: "error.type",
  /** kytos-events' own, under its namespace: the controller event name, lane, destinations, outcome. */
  EventType: "kytos_events.event.type",
  Lane: "kytos_events.lane",
  Destinations: "kytos_events.destinations",
  Delivery: "kytos_events.delivery.status",
  Attempt: "kytos_events.attempt",
} as const;

/** `messaging.system` for a transport kind: the conventions' names for Kafka and RabbitMQ. */
export function messagingSystem(transport: string): string {
  switch (transport) {
    case "kafka":
      return "kafka";
    case "amqp":
      return "rabbitmq";
    default:
      // Not a broker the conventions name (the in-memory transport): kept recognisable.
      return `kytos_events.${transport}`;
  }
}
