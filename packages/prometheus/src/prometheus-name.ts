// How a kytos-events metric is named in Prometheus: "." is not allowed in a Prometheus metric
// name, so it becomes "_"; counters end in "_total" as the exposition conventions ask.
// Histograms keep their "_ms" suffix: the hooks report milliseconds and the buckets are in ms.
import type { MetricKind } from "@kytos-events/core";

/** e.g. "kytos_events.publish.events" (counter) → "kytos_events_publish_events_total". */
export function prometheusName(name: string, kind: MetricKind): string {
  const base = name.replaceAll(".", "_");
  return kind === "counter" && !base.endsWith("_total") ? `${base}_total` : base;
}
