// @kytos-events/schema: the kytos.events.v1 contract for TypeScript. Generated message types
// and schemas, the envelope, the typed event registry, the controller-JSON mappers and the
// project's error hierarchy.

export { ErrorCode, isKytosEventsError, KytosEventsError } from "./errors.js";
export type {
  EventCaseMap,
  EventDescriptor,
  EventInit,
  EventMap,
  EventName,
  EventPayload,
  EventRole,
  EventSchemaMap,
  EventStatus,
  PayloadCase,
  StatusEntity,
  StatusState,
} from "./event-types.js";
export * from "./gen/kytos/events/v1/core_pb.js";
export { envelopeToBinary } from "./gen/kytos/events/v1/envelope_binary.js";
export * from "./gen/kytos/events/v1/envelope_pb.js";
export { SCHEMA_VERSION } from "./gen/kytos/events/v1/event_registry.js";
export * from "./gen/kytos/events/v1/flow_manager_objects_pb.js";
export * from "./gen/kytos/events/v1/flow_manager_pb.js";
export * from "./gen/kytos/events/v1/maintenance_pb.js";
export * from "./gen/kytos/events/v1/mef_eline_objects_pb.js";
export * from "./gen/kytos/events/v1/mef_eline_pb.js";
export * from "./gen/kytos/events/v1/network_pb.js";
export * from "./gen/kytos/events/v1/of_core_pb.js";
export * from "./gen/kytos/events/v1/of_lldp_pb.js";
export * from "./gen/kytos/events/v1/of_multi_table_pb.js";
export * from "./gen/kytos/events/v1/options_pb.js";
export * from "./gen/kytos/events/v1/telemetry_int_pb.js";
export * from "./gen/kytos/events/v1/topology_pb.js";
export { MappingError } from "./mapping/json-path.js";
export { fromKytosJson, toKytosJson } from "./mapping/kytos-json.js";
export {
  eventDescriptors,
  findEventDescriptor,
  getEventDescriptor,
  getEventDescriptorByCase,
  isEventName,
} from "./registry.js";
