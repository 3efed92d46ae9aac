// Subcommand dispatch, separate from process wiring so tests can run commands in-process.
import { CliError } from "./cli-error.js";
import { inspect, inspectHelp } from "./commands/inspect.js";
import { links, linksHelp } from "./commands/links.js";
import { publish, publishHelp } from "./commands/publish.js";
import { tail, tailHelp } from "./commands/tail.js";

export const usage = `kytos-events <command> [options]

Commands:
  tail      print decoded events from Kafka or RabbitMQ as they arrive
  publish   publish controller events from a JSON-lines file
  inspect   decode one message and show its envelope and payload
  links     print the latest state of every link

Run kytos-events <command> --help for a command's options.`;

const helps: Record<string, string> = {
  tail: tailHelp,
  publish: publishHelp,
  inspect: inspectHelp,
  links: linksHelp,
};

export async function main(
  argv: string[],
  out: (l: string) => void,
  err: (l: string) => void,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    out(usage);
    return 0;
  }
  const help = helps[command];
  if (!help) throw new CliError(`unknown command "${command}".\n\n${usage}`);
  if (rest.includes("--help") || rest.includes("-h")) {
    out(help);
    return 0;
  }
  try {
    switch (command) {
      case "tail":
        return await tail(rest, out, err);
      case "publish":
        return await publish(rest, out, err);
      case "inspect":
        return await inspect(rest, out);
      default:
        return await links(rest, out, err);
    }
  } catch (e) {
    // node:util parseArgs reports unknown flags with a TypeError carrying a code.
    if ((e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))
      throw new CliError(`${(e as Error).message}\n\n${help}`);
    throw e;
  }
}
