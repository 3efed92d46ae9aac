// Plain-text tables for the console (and pasted into BENCHMARKS.md as markdown).
export type Row = readonly (string | number)[];

export function printTable(title: string, header: Row, rows: readonly Row[]): void {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((v, c) => v.padStart(widths[c] ?? 0)).join(" | ")} |`;
  console.log(`\n### ${title}\n`);
  console.log(line(cells[0] ?? []));
  console.log(`|${widths.map((w) => `${"-".repeat(w + 1)}:`).join("|")}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}
