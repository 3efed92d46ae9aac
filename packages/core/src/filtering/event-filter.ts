// Allow/deny lists of regular expressions over controller event names (the blueprint's
// "filter by a list of regexes in configuration"). Patterns are JavaScript regular expressions
// without flags (case-sensitive), compiled once at construction, where a bad one fails with an
// error naming it — not on the first event. Each pattern must match the WHOLE name (it is
// anchored), so "kytos/topology\.link_.*" means what it says and "link" alone matches nothing
// by accident. A deny match always wins; an empty allow list allows every name.
import { ErrorCode, eventDescriptors, KytosEventsError } from "@kytos-events/schema";

export interface EventFilterConfig {
  /** Names to let through (anchored regexes). Empty or absent: everything. */
  readonly allow?: readonly string[];
  /** Names to stop (anchored regexes); wins over allow. Default none. */
  readonly deny?: readonly string[];
}

/** A configured pattern, located for messages: `allow[2] "kytos/x.*"`. */
export interface FilterPattern {
  readonly list: "allow" | "deny";
  readonly index: number;
  readonly pattern: string;
}

interface Compiled extends FilterPattern {
  readonly regex: RegExp;
}

// Registry names plus unknown ones a controller may raise; past this the cache starts over, so
// a stream of ever-new names costs regex tests, never unbounded memory.
const CACHE_LIMIT = 4096;

export class EventFilter {
  private readonly allow: readonly Compiled[];
  private readonly deny: readonly Compiled[];
  private readonly cache = new Map<string, boolean>();

  /** @throws KytosEventsError KE_FILTER_PATTERN_INVALID naming the list, index, pattern and the regex engine's complaint. */
  constructor(readonly config: EventFilterConfig = {}) {
    this.allow = compile(config.allow, "allow");
    this.deny = compile(config.deny, "deny");
  }

  /** Whether an event with this name passes. The answer for a name is cached. */
  accepts(name: string): boolean {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    const ok =
      !this.deny.some((p) => p.regex.test(name)) &&
      (this.allow.length === 0 || this.allow.some((p) => p.regex.test(name)));
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(name, ok);
    return ok;
  }

  /**
   * Patterns that match no event the schema knows — most often a typo that silently lets
   * nothing through (allow) or stops nothing (deny). Worth a warning at start-up. A family
   * ("kytos/core.shutdown.<napp_id>") counts as matched by its template or by a sample name.
   */
  patternsMatchingNothing(): FilterPattern[] {
    const names = knownNames();
    return [...this.allow, ...this.deny]
      .filter((p) => !names.some((n) => p.regex.test(n)))
      .map(({ list, index, pattern }) => ({ list, index, pattern }));
  }
}

function compile(patterns: readonly string[] | undefined, list: "allow" | "deny"): Compiled[] {
  if (patterns === undefined) return [];
  if (!Array.isArray(patterns)) {
    throw new KytosEventsError(
      ErrorCode.FilterPatternInvalid,
      `filter ${list} must be a list of regular expression strings, got ${typeof patterns}.`,
    );
  }
  return patterns.map((pattern: unknown, index) => {
    if (typeof pattern !== "string" || pattern.length === 0) {
      throw new KytosEventsError(
        ErrorCode.FilterPatternInvalid,
        `filter ${list}[${index}] must be a non-empty regular expression string, got ${JSON.stringify(pattern)}.`,
      );
    }
    try {
      // Compiled alone first: "a)|(.*" is invalid by itself but would wrap into a valid,
      // unanchored regex.
      new RegExp(pattern);
      return { list, index, pattern, regex: new RegExp(`^(?:${pattern})$`) };
    } catch (err) {
      throw new KytosEventsError(
        ErrorCode.FilterPatternInvalid,
        `filter ${list}[${index}] "${pattern}" is not a valid regular expression: ${(err as Error).message}. ` +
          "Fix or remove it in the filter configuration.",
        { cause: err },
      );
    }
  });
}

let names: string[] | undefined;
function knownNames(): string[] {
  names ??= eventDescriptors.flatMap((d) =>
    d.pattern ? [d.name, d.name.replace(/<([^>]*)>/g, "$1")] : [d.name],
  );
  return names;
}
