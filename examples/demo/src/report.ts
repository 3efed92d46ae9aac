// What the demo prints: a progress line while events flow, and the summary at the end. Every
// number comes from the run (DemoResult); nothing here computes or rounds a claim into truth.
import type { DemoResult, ProgressSample } from "./run-demo.js";

const n = (value: number) => value.toLocaleString("en-US");

/** Progress, with rates over the interval since the previous sample. */
export function progressLine(sample: ProgressSample, previous: ProgressSample | undefined): string {
  const dt = previous ? sample.seconds - previous.seconds : sample.seconds;
  const rate = (now: number, before = 0) => (dt > 0 ? n(Math.round((now - before) / dt)) : "-");
  return [
    `${sample.seconds.toFixed(1).padStart(6)} s`,
    `produced ${n(sample.produced)} (${rate(sample.produced, previous?.produced)}/s)`,
    `buffered ${n(sample.buffered)}`,
    `handled ${n(sample.handled)} (${rate(sample.handled, previous?.handled)}/s)`,
    `settled ${n(sample.settled)}`,
    `duplicates ${n(sample.duplicates)}`,
    `dead-lettered ${n(sample.deadLettered)}`,
    `links down ${sample.linksDown}`,
  ].join(" · ");
}

export function summaryLines(r: DemoResult): string[] {
  const s = r.options.scenario;
  const lines = [
    `kytos-events demo — ${r.broker}`,
    `  scenario       ${s.switches} switches and links in a ring, ${s.evcs} circuits, ${n(s.flaps)} link flaps (seed ${s.seed})`,
    `  produced       ${n(r.raised)} controller events: ${n(r.delivered)} acknowledged by the transport, ` +
      `${n(r.undelivered)} dropped or failed, ${n(r.refused)} refused as bad input` +
      (r.sendRetries > 0 ? ` (${n(r.sendRetries)} sends retried after a broker error)` : ""),
    `  consumed       ${n(r.handled)} handled by the "circuits" group, ${n(r.handledTwice)} handled twice, ` +
      `${n(r.deadLettered)} dead-lettered`,
  ];
  lines.push(
    `  duplicates     ${n(r.duplicates)} redelivered events recognised by the idempotency store and not handled again` +
      (r.restart
        ? ` (the consumer was restarted after ${n(r.restart.afterHandled)} events, leaving ${n(r.restart.handedBack)} delivered records unsettled)`
        : ""),
  );
  lines.push(
    `  ordering       ${r.orderViolations === 0 ? "per-key order kept" : `${n(r.orderViolations)} events out of key order`} ` +
      `(16 handlers at once, one at a time per link/circuit)`,
    `  links          ${r.links.up} up, ${r.links.down} down — ${
      r.links.mismatches.length === 0
        ? "the status table and the stream agree with the network"
        : `${r.links.mismatches.length} disagreement(s)`
    } (table: ${r.statusTable.entries} links from ${n(r.statusTable.applied)} status events, ${n(r.statusTable.notifications)} change notifications)`,
    `  circuits       ${r.circuits.active} active, ${r.circuits.down} down, ${r.circuits.removed} removed, ` +
      `${n(r.circuits.redeployments)} redeployments around failed links — ${
        r.circuits.mismatches.length === 0
          ? "as the controller left them"
          : `${r.circuits.mismatches.length} disagreement(s)`
      }`,
    `  throughput     ${n(Math.round(r.delivered / r.seconds))} events/s end to end ` +
      `(${n(r.delivered)} events from first publish to last handled in ${r.seconds.toFixed(2)} s)`,
  );
  if (r.scrape) {
    const m = r.scrape;
    lines.push(
      `  metrics        ${m.url} — last scrape (${n(m.samples)} samples): ${n(m.handlerRuns)} handler runs, ` +
        `consumer lag ${n(m.lag)}${m.lagSeries > 0 ? ` over ${m.lagSeries} partitions/queues` : " (the memory transport reports none)"}, ` +
        `${n(m.dropped)} dropped, ${n(m.deadLetters)} dead letters`,
    );
  }
  for (const m of [...r.links.mismatches, ...r.circuits.mismatches].slice(0, 10)) lines.push(`  ! ${m}`);
  if (r.handled < r.delivered)
    lines.push(`  ! ${n(r.delivered - r.handled)} acknowledged events were never handled`);
  lines.push(
    r.ok ? "  result         OK: every event produced was handled" : "  result         FAILED (see above)",
  );
  return lines;
}
