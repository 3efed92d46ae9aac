// Which handlers an event name reaches: handlers for the exact name, then prefix wildcards
// ("kytos/topology.*" for a NApp's events), then "*" — each group in registration order.
// Patterns are checked against the schema when registered, so a misspelt name fails at
// start-up instead of silently never matching.
import { ErrorCode, KytosEventsError } from "@kytos-events/core";
import { eventDescriptors, isEventName } from "@kytos-events/schema";
import type { HandlerContext, KytosEvent } from "./event.js";

export type AnyHandler = (event: KytosEvent, context: HandlerContext) => void | Promise<void>;

export class HandlerRegistry {
  private readonly exact = new Map<string, AnyHandler[]>();
  private readonly prefixes: { readonly prefix: string; readonly handler: AnyHandler }[] = [];
  private readonly cache = new Map<string, readonly AnyHandler[]>();

  add(pattern: string, handler: AnyHandler): void {
    if (typeof handler !== "function") {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `on("${pattern}"): the handler must be a function.`,
      );
    }
    if (pattern.endsWith("*")) {
      const prefix = pattern.slice(0, -1);
      if (prefix !== "" && !eventDescriptors.some((d) => d.name.startsWith(prefix))) {
        throw new KytosEventsError(
          ErrorCode.UnknownEventName,
          `on("${pattern}"): no event in the schema starts with "${prefix}"; check the NApp name (e.g. "kytos/topology.*").`,
        );
      }
      this.prefixes.push({ prefix, handler });
    } else {
      if (!isEventName(pattern)) {
        throw new KytosEventsError(
          ErrorCode.UnknownEventName,
          `on("${pattern}"): not an event of the kytos.events.v1 schema; check the spelling, or use onUnknown() for events newer than this build.`,
        );
      }
      const list = this.exact.get(pattern) ?? [];
      list.push(handler);
      this.exact.set(pattern, list);
    }
    this.cache.clear();
  }

  /** Handlers for a concrete event name, in the order they run. */
  match(name: string): readonly AnyHandler[] {
    let found = this.cache.get(name);
    if (!found) {
      const list = [...(this.exact.get(name) ?? [])];
      for (const p of this.prefixes) if (p.prefix !== "" && name.startsWith(p.prefix)) list.push(p.handler);
      for (const p of this.prefixes) if (p.prefix === "") list.push(p.handler);
      found = list;
      this.cache.set(name, found);
    }
    return found;
  }
}
