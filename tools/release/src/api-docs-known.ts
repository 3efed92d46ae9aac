// Missing exports TypeDoc reports today, each owned by its package. The API docs gate tolerates
// exactly these and fails on any other warning, and also when one of these is fixed but still
// listed, so the list can only shrink. Fix: export the type from the package's index.ts, or
// stop naming it in a public signature (e.g. make the member private).
export const KNOWN_MISSING_EXPORTS: readonly string[] = [
  // The generated enums are shadowed by event-types.ts's string unions of the same names.
  "EventRole @kytos-events/schema/src/gen/kytos/events/v1/options_pb.ts",
  "StatusEntity @kytos-events/schema/src/gen/kytos/events/v1/options_pb.ts",
  "StatusState @kytos-events/schema/src/gen/kytos/events/v1/options_pb.ts",
  "Json @kytos-events/schema/src/fixtures/objects.ts",
  "MemoryTopic @kytos-events/core/src/memory/memory-broker.ts",
  "StoredRecord @kytos-events/core/src/memory/partition-log.ts",
  "GroupMember @kytos-events/core/src/memory/memory-broker.ts",
  "ResolvedKafkaConfig @kytos-events/kafka/src/config.ts",
  "ResolvedConsumerConfig @kytos-events/consumer/src/config.ts",
];
