// kafkajs logs through our injectable Logger, so a library user sees broker-client logs only
// when they ask for them.
import type { Logger } from "@kytos-events/core";
import { type logCreator, logLevel } from "kafkajs";

// Warnings about choices this transport makes on purpose: retries are bounded so a dead broker
// becomes a retriable failure for the outage buffer, and after a failed produce a new producer
// id is used (kafka-transport.ts) — the guarantee stated is at-least-once, not exactly-once.
const EXPECTED_WARNINGS = ["Limiting retries for the idempotent producer"];

export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...fields } = log;
      const text = `kafkajs: ${message}`;
      const expected = level === logLevel.WARN && EXPECTED_WARNINGS.some((w) => message.startsWith(w));
      if (expected) logger.debug(text, fields);
      else if (level === logLevel.ERROR) logger.error(text, fields);
      else if (level === logLevel.WARN) logger.warn(text, fields);
      else if (level === logLevel.INFO) logger.info(text, fields);
      else logger.debug(text, fields);
    };
}
