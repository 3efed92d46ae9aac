// `pnpm demo`: a realistic Kytos-ng event stream through the producer and consumer SDKs, on
// the embedded memory transport (or `-- --transport kafka|amqp`), with progress lines and a
// summary measured in the run. Exit code 0 only when every produced event was handled
// exactly once and the consumers' view of the network matches the scenario; 1 otherwise;
// 2 for a usage error.
import { parseOptions, USAGE, UsageError } from "./options.js";
import { progressLine, summaryLines } from "./report.js";
import { type ProgressSample, runDemo } from "./run-demo.js";

async function main(argv: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`demo: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  let previous: ProgressSample | undefined;
  const result = await runDemo(options, {
    log: (line) => console.log(line),
    progress: (sample) => {
      console.log(progressLine(sample, previous));
      previous = sample;
    },
  });
  for (const line of summaryLines(result)) console.log(line);
  return result.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`demo failed: ${(err as Error).message ?? String(err)}`);
    process.exitCode = 1;
  },
);
