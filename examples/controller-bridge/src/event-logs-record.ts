// One record of kytos-ng/kafka_events' `event_logs` topic: JSON `{"event": <name>, "message":
// <content>}` (objects as the controller's as_dict(), else vars(), else str()). This reads
// the shape only; whether the content maps to the event's schema is the producer's call.

export type EventLogsRecord =
  | { readonly ok: true; readonly name: string; readonly content: unknown }
  | { readonly ok: false; readonly reason: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function parseEventLogsRecord(value: Uint8Array): EventLogsRecord {
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return { ok: false, reason: "not a kafka_events record: the value is not UTF-8 text" };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      reason: `not a kafka_events record: the value is not JSON (${(err as Error).message})`,
    };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return {
      ok: false,
      reason: 'not a kafka_events record: expected a JSON object {"event": …, "message": …}',
    };
  }
  const { event, message } = json as { event?: unknown; message?: unknown };
  if (typeof event !== "string" || event === "") {
    return {
      ok: false,
      reason: 'not a kafka_events record: "event" (the event name) is missing or not a string',
    };
  }
  return { ok: true, name: event, content: message };
}
