// Structured logging without console spam: every package takes an injectable Logger and
// defaults to silence. Adapt pino, winston or console in one line.

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const noop = (): void => {};

/** The default: a library says nothing unless its user asks. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
