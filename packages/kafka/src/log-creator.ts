// kafkajs logs through our injectable Logger, so a library user sees broker-client logs only
// when they ask for them.
import type { Logger } from "@kytos-events/core";
import { type logCreator, logLevel } from "kafkajs";

export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...fields } = log;
      const text = `kafkajs: ${message}`;
      if (level === logLevel.ERROR) logger.error(text, fields);
      else if (level === logLevel.WARN) logger.warn(text, fields);
      else if (level === logLevel.INFO) logger.info(text, fields);
      else logger.debug(text, fields);
    };
}
