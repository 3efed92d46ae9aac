// Shared by the examples' integration tests: scrapes a Prometheus endpoint over HTTP, as
// Prometheus would, and reads its samples (text format 0.0.4) by name and labels.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Scrape {
  readonly samples: readonly Sample[];
  /** The samples of one series name, optionally only those whose labels include `labels`. */
  series(name: string, labels?: Readonly<Record<string, string>>): Sample[];
  /** Sum of the values of `series(name, labels)`; 0 when there are none. */
  sum(name: string, labels?: Readonly<Record<string, string>>): number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Scrape {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(LABEL))
      labels[key!] = value!.replace(/\\(.)/g, "$1");
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  const series = (name: string, labels: Readonly<Record<string, string>> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    samples,
    series,
    sum: (name, labels) => series(name, labels).reduce((total, s) => total + s.value, 0),
  };
}

/** GET the endpoint; fails on anything but 200 with the Prometheus text format. */
export async function scrapeMetrics(url: string): Promise<Scrape> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith("text/plain")) throw new Error(`${url} answered content-type ${type}`);
  return parseExposition(await res.text());
}
