// The HTTP side of the bridge, as a Kytos NApp would call it:
//   POST /events   {"name": <event name>, "content": {…}} or a list of them; answers at once
//                  (202) with each event's id — or filtered, or why it was refused — without
//                  waiting for the broker; `?wait=durable` waits (200) until the broker holds
//                  them, for callers that want to know.
//   GET  /healthz  200 while the output transport is connected, 503 with the reason otherwise.
// Bad input gets a 4xx naming what is wrong; nothing a client sends can crash the service.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { DurableOutcome, Publish, PublishOutcome } from "./publish-outcome.js";

export interface HttpIngestHost {
  /** Filters and publishes one controller event (the current configuration's filter). */
  readonly publish: Publish;
  /** The current configuration's limit. */
  readonly maxBodyBytes: number;
  health(): { ok: boolean; body: unknown };
}

/** How long `?wait=durable` waits for the broker, ms. */
const WAIT_TIMEOUT_MS = 10_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface ControllerEvent {
  readonly name: string;
  readonly content: unknown;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** The body as text, at most `limit` bytes; past that a 413 is answered and the rest discarded unread. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () =>
    new HttpError(
      413,
      "BODY_TOO_LARGE",
      `the body exceeds ${limit} bytes (maxBodyBytes): send fewer events per request.`,
      {
        connection: "close",
      },
    );
  if (Number(req.headers["content-length"]) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: HttpError) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    // Listeners, not `for await`: leaving an async iterator early destroys the socket, and
    // the client would get a reset instead of the 413.
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) fail(tooLarge());
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", (err) =>
      fail(new HttpError(400, "BAD_REQUEST", `the body could not be read: ${err.message}`)),
    );
    req.on("close", () =>
      fail(new HttpError(400, "BAD_REQUEST", "the client closed the request before its end.")),
    );
  });
}

function parseEvents(text: string): { events: ControllerEvent[]; batch: boolean } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, "INVALID_JSON", `the body is not JSON: ${(err as Error).message}`);
  }
  const batch = Array.isArray(json);
  const items = batch ? (json as unknown[]) : [json];
  if (items.length === 0) throw new HttpError(400, "INVALID_EVENT", "the list of events is empty.");
  const events = items.map((item, i) => {
    const where = batch ? `event [${i}]` : "the event";
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new HttpError(400, "INVALID_EVENT", `${where} must be an object {"name": …, "content": {…}}.`);
    }
    const { name, content, ...rest } = item as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) {
      throw new HttpError(
        400,
        "INVALID_EVENT",
        `${where} has unknown key(s) ${extra.map((k) => `"${k}"`).join(", ")}: send name and content.`,
      );
    }
    if (typeof name !== "string" || name === "") {
      throw new HttpError(
        400,
        "INVALID_EVENT",
        `${where} needs "name": the controller's event name, e.g. "kytos/topology.link_down".`,
      );
    }
    if (
      content !== undefined &&
      content !== null &&
      (typeof content !== "object" || Array.isArray(content))
    ) {
      throw new HttpError(
        400,
        "INVALID_EVENT",
        `${where} ("${name}"): "content" must be an object (the event's content).`,
      );
    }
    return { name, content };
  });
  return { events, batch };
}

function describe(outcome: PublishOutcome) {
  if (outcome.status === "published")
    return { status: outcome.status, id: outcome.id, sequence: outcome.sequence };
  return outcome;
}

async function waitDurable(
  outcomes: readonly PublishOutcome[],
): Promise<(DurableOutcome | undefined)[] | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), WAIT_TIMEOUT_MS);
  });
  const all = Promise.all(outcomes.map((o) => (o.status === "published" ? o.durable : undefined)));
  try {
    return await Promise.race([all, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function postEvents(
  host: HttpIngestHost,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    throw new HttpError(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      `send the events as application/json (got "${type || "no content type"}").`,
    );
  }
  const { events, batch } = parseEvents(await readBody(req, host.maxBodyBytes));
  const outcomes: PublishOutcome[] = [];
  for (const event of events) outcomes.push(await host.publish(event.name, event.content));
  const results = outcomes.map(describe);
  const refused = outcomes.filter((o) => o.status === "refused");
  if (refused.length > 0) {
    const first = refused[0] as Extract<PublishOutcome, { status: "refused" }>;
    const body = batch
      ? {
          error: "EVENTS_REFUSED",
          reason: `${refused.length} of ${events.length} events refused; the others were published.`,
          results,
        }
      : { error: first.code, reason: first.reason };
    send(res, 422, body);
    return;
  }
  if (url.searchParams.get("wait") !== "durable") {
    send(res, 202, batch ? { results } : results[0]);
    return;
  }
  const durable = await waitDurable(outcomes);
  if (!durable) {
    send(res, 504, {
      error: "NOT_YET_DURABLE",
      reason: `the broker has not acknowledged within ${WAIT_TIMEOUT_MS} ms; the events stay buffered and will be sent.`,
      results,
    });
    return;
  }
  const withDelivery = results.map((r, i) => ({ ...r, ...(durable[i] ? { delivered: durable[i].ok } : {}) }));
  const failed = durable.filter((d): d is Extract<DurableOutcome, { ok: false }> => d !== undefined && !d.ok);
  if (failed.length > 0) {
    send(res, 502, { error: "NOT_DELIVERED", reason: failed[0]!.reason, results: withDelivery });
    return;
  }
  send(res, 200, batch ? { results: withDelivery } : withDelivery[0]);
}

export function httpIngest(host: HttpIngestHost): RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://bridge");
    const route = async () => {
      if (url.pathname === "/events") {
        if (req.method !== "POST")
          throw new HttpError(405, "METHOD_NOT_ALLOWED", "use POST /events.", { allow: "POST" });
        return postEvents(host, req, res, url);
      }
      if (url.pathname === "/healthz") {
        if (req.method !== "GET" && req.method !== "HEAD") {
          throw new HttpError(405, "METHOD_NOT_ALLOWED", "use GET /healthz.", { allow: "GET, HEAD" });
        }
        const { ok, body } = host.health();
        return send(res, ok ? 200 : 503, body);
      }
      throw new HttpError(404, "NOT_FOUND", `no ${url.pathname} here: POST /events, GET /healthz.`);
    };
    route().catch((err: unknown) => {
      if (err instanceof HttpError) {
        send(res, err.status, { error: err.code, reason: err.message }, err.headers);
        return;
      }
      send(res, 500, { error: "INTERNAL", reason: (err as Error)?.message ?? String(err) });
    });
  };
}
