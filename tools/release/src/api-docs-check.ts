// Reads TypeDoc's log: every warning fails the API docs gate except a missing export on the
// known list, and a known entry TypeDoc no longer reports fails too (the list only shrinks).

export interface ApiDocsVerdict {
  readonly ok: boolean;
  readonly lines: readonly string[];
}

// Colour codes, in case a terminal asked for them.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
const NOT_EXPORTED =
  /^\[warning\] (\S+), defined in (\S+), is referenced by (.+) but not included in the documentation$/;
// TypeDoc's closing tally repeats what the individual lines already say.
const TALLY = /^\[warning\] Found \d+ errors and \d+ warnings$/;

export function judgeTypedocLog(log: string, known: readonly string[]): ApiDocsVerdict {
  const lines: string[] = [];
  const seen = new Set<string>();
  let ok = true;
  for (const raw of log.split("\n")) {
    const line = raw.replace(ANSI, "").trim();
    if (!line.startsWith("[warning]") && !line.startsWith("[error]")) continue;
    if (TALLY.test(line)) continue;
    const missing = NOT_EXPORTED.exec(line);
    const id = missing ? `${missing[1]} ${missing[2]}` : undefined;
    if (id !== undefined && known.includes(id)) {
      seen.add(id);
      continue;
    }
    ok = false;
    lines.push(
      missing ? `✗ not exported: ${missing[1]} (${missing[2]}), used by ${missing[3]}` : `✗ ${line}`,
    );
  }
  for (const id of known) {
    if (!seen.has(id)) {
      ok = false;
      lines.push(`✗ ${id} is exported now: remove it from tools/release/src/api-docs-known.ts`);
    }
  }
  if (seen.size > 0)
    lines.push(
      `  (${seen.size} known missing exports tolerated, listed in tools/release/src/api-docs-known.ts)`,
    );
  return { ok, lines };
}
