// Field paths in mapping errors, written the way the controller's JSON is addressed
// (`link.endpoint_a.port_number`, `interfaces[2]`, `switches["00:..:01"]`), and the one error
// every mapping failure becomes.
import { ErrorCode, KytosEventsError } from "../errors.js";

export function childPath(parent: string, key: string): string {
  return parent === "" ? key : `${parent}.${key}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

export function mapKeyPath(parent: string, key: string): string {
  return `${parent}[${JSON.stringify(key)}]`;
}

/** Thrown by the mappers; `path` is the field at fault ("" for the whole content). */
export class MappingError extends KytosEventsError {
  readonly path: string;
  readonly eventName: string;

  constructor(eventName: string, path: string, problem: string) {
    const where = path === "" ? "content" : `field "${path}"`;
    super(
      ErrorCode.MappingInvalid,
      `${eventName}: ${where} ${problem}. The controller JSON (as_dict()) and the kytos.events.v1 ` +
        "schema disagree: fix the sender, or the schema in proto/ if the controller changed.",
    );
    this.path = path;
    this.eventName = eventName;
  }
}
