// CommonJS users get the .d.cts declarations (the `require` condition): the same typed names
// and payloads as ESM users.
import schema = require("@kytos-events/schema");
import core = require("@kytos-events/core");

const name: schema.EventName = "kytos/topology.link_down";
// @ts-expect-error not an event of the schema
const unknown: schema.EventName = "kytos/topology.link_sideways";
const payload: schema.EventPayload<"kytos/topology.link_down"> | undefined = undefined;
const transport: core.Transport = core.createMemoryTransport();
const descriptor = schema.getEventDescriptor("kytos/topology.link_down");
// @ts-expect-error a switch payload is not a link_down payload
descriptor.key({} as schema.TopologySwitchEnabled);

export = { name, unknown, payload, transport };
