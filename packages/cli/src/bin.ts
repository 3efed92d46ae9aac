// The kytos-events command: dispatches to a subcommand, prints help, and turns errors into a
// one-line message and a stable exit code (0 ok, 1 some input rejected, 2 usage, 3 broker).
import { CliError, ExitCode } from "./cli-error.js";
import { main } from "./main.js";

// `kytos-events tail | head` closes our stdout early: that is a normal end, not a crash.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

main(
  process.argv.slice(2),
  (l) => process.stdout.write(`${l}\n`),
  (l) => process.stderr.write(`${l}\n`),
)
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err: unknown) => {
    process.stderr.write(`kytos-events: ${(err as Error).message}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : ExitCode.Transport;
  });
