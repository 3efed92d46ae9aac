// The generated AsyncAPI document: valid for the official AsyncAPI parser, complete (every
// event type, every destination), true to the routing and bindings, and its schemas accept
// what the code really puts on the wire (every fixture event, encoded as a producer does).
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";
import { toJson } from "@bufbuild/protobuf";
import { bindingOf, routingKeyOf } from "@kytos-events/amqp";
import { createEnvelope, encodeEnvelope, Router } from "@kytos-events/core";
import { EnvelopeSchema, type EventName, eventDescriptors, fromKytosJson } from "@kytos-events/schema";
import { kytosEventFixtures } from "@kytos-events/schema/fixtures";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildAsyncApiDocument, channelId } from "./asyncapi-document.js";
import { renderAsyncApiYaml } from "./render.js";

// biome-ignore lint/suspicious/noExplicitAny: a walk over a plain JSON document
type Json = any;
const doc: Json = buildAsyncApiDocument();
const yaml = renderAsyncApiYaml();

describe("the AsyncAPI document", () => {
  it("parses with @asyncapi/parser with zero errors and zero warnings", async () => {
    const { document, diagnostics } = await new Parser().parse(yaml);
    const problems = diagnostics
      .filter((d) => d.severity <= 1)
      .map((d) => `${d.message} at ${d.path.join(".")}`);
    expect(problems).toEqual([]);
    expect(document?.version()).toBe("3.0.0");
    expect(document?.allMessages().length).toBe(eventDescriptors.length);
  });

  it("lists every event type of the registry as a message, by its controller name", async () => {
    const { document } = await new Parser().parse(yaml);
    const names = document!
      .allMessages()
      .all()
      .map((m) => m.name());
    expect(new Set(names)).toEqual(new Set(eventDescriptors.map((d) => d.name)));
    for (const d of eventDescriptors) {
      const message = doc.components.messages[d.payloadCase];
      expect(message.contentType).toBe("application/x-protobuf");
      expect(message["x-kytos-event"].amqpRoutingKey).toBe(routingKeyOf(d.name));
    }
  });

  it("has one channel per destination of the default routing, with its events, partitions and compaction", () => {
    const router = new Router();
    const specs = router.destinationSpecs();
    expect(Object.values(doc.channels).map((c: Json) => c.address)).toEqual(specs.map((s) => s.name));
    for (const spec of specs) {
      const channel = doc.channels[channelId(spec.name)];
      const expected = eventDescriptors.filter((d) => router.route(d.name, "client").includes(spec.name));
      expect(Object.keys(channel.messages)).toEqual(expected.map((d) => d.payloadCase));
      expect(channel.bindings.kafka).toEqual(
        expect.objectContaining({
          topic: spec.name,
          partitions: spec.partitions,
          topicConfiguration: { "cleanup.policy": [spec.compacted ? "compact" : "delete"] },
        }),
      );
      expect(channel.bindings.amqp.exchange).toEqual(
        expect.objectContaining({ name: "kytos.events", type: "topic" }),
      );
      expect(channel["x-amqp-binding-keys"]).toEqual((spec.eventPrefixes ?? [""]).map(bindingOf));
      expect(doc.operations[`publish_${channelId(spec.name)}`].messages).toHaveLength(expected.length);
    }
    expect(doc.channels.kytos_events.messages).toEqual(
      Object.fromEntries(eventDescriptors.map((d) => [d.payloadCase, expect.anything()])),
    );
    expect(doc.channels.kytos_status_link.bindings.kafka.topicConfiguration["cleanup.policy"]).toEqual([
      "compact",
    ]);
  });

  it("describes what a producer writes: every fixture event's envelope and headers validate against its message", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(doc, "asyncapi");
    expect(kytosEventFixtures.length).toBeGreaterThanOrEqual(eventDescriptors.length);
    for (const [i, fixture] of kytosEventFixtures.entries()) {
      const name = fixture.name as EventName;
      const envelope = createEnvelope({
        type: name,
        payload: fromKytosJson(name, fixture.content),
        source: "ctl-1",
        sequence: BigInt(i + 1),
      });
      const id = eventDescriptors.find((d) => d.name === name || d.pattern?.test(name))!.payloadCase;
      const payload = ajv.getSchema(`asyncapi#/components/messages/${id}/payload`)!;
      const headers = ajv.getSchema(`asyncapi#/components/messages/${id}/headers`)!;
      const json = toJson(EnvelopeSchema, envelope);
      expect({ name, valid: payload(json), errors: payload.errors ?? null }).toEqual({
        name,
        valid: true,
        errors: null,
      });
      expect(headers(encodeEnvelope(envelope).headers)).toBe(true);
    }
  });

  it("rejects a payload of another event and a wrong field type", () => {
    const ajv = new Ajv({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema(doc, "asyncapi");
    const linkDown = ajv.getSchema("asyncapi#/components/messages/topologyLinkDown/payload")!;
    expect(linkDown({ type: "kytos/topology.link_down", topologyLinkDown: { link: { id: "l1" } } })).toBe(
      true,
    );
    expect(linkDown({ type: "kytos/topology.link_down", topologySwitchEnabled: {} })).toBe(false);
    expect(linkDown({ type: "kytos/topology.link_up", topologyLinkDown: {} })).toBe(false);
    expect(linkDown({ type: "kytos/topology.link_down", topologyLinkDown: { link: { id: 42 } } })).toBe(
      false,
    );
    expect(linkDown({ type: "kytos/topology.link_down", sequence: 7, topologyLinkDown: {} })).toBe(false);
  });

  it("is what docs/asyncapi.yaml holds (regenerate with pnpm asyncapi)", () => {
    const committed = readFileSync(new URL("../../../docs/asyncapi.yaml", import.meta.url), "utf8");
    expect(parse(committed)).toEqual(parse(yaml));
  });
});
