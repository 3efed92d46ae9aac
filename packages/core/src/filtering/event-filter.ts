// Allow/deny lists of regular expressions over controller event names (the blueprint's
// "filter by a list of regexes in configuration"). Patterns are compiled once at construction,
// where a bad one fails with an error naming it — not on the first event. Each pattern must
// match the WHOLE name (it is anchored), so "kytos/topology.link_.*" means what it says and
// "link" alone matches nothing by accident. A deny match always wins; an empty allow list
// allows every name.
import { ErrorCode, KytosEventsError } from "@kytos-events/schema";

export interface EventFilterConfig {
  /** Names to let through (anchored regexes). Empty or absent: everything. */
  readonly allow?: readonly string[];
  /** Names to stop (anchored regexes); wins over allow. */
  readonly deny?: readonly string[];
}

const CACHE_LIMIT = 4096;

function compile(patterns: readonly string[] | undefined, list: "allow" | "deny"): RegExp[] {
  return (patterns ?? []).map((pattern, index) => {
    if (typeof pattern !== "string" || pattern.length === 0) {
      throw new KytosEventsError(
        ErrorCode.FilterPatternInvalid,
        `filter ${list}[${index}] must be a non-empty regular expression string.`,
      );
    }
    try {
      return new RegExp(`^(?:${pattern})$`);
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

export class EventFilter {
  private readonly allow: RegExp[];
  private readonly deny: RegExp[];
  // Event names come from a finite registry, so caching decisions makes the hot path a Map hit.
  private readonly cache = new Map<string, boolean>();

  constructor(readonly config: EventFilterConfig = {}) {
    this.allow = compile(config.allow, "allow");
    this.deny = compile(config.deny, "deny");
  }

  accepts(name: string): boolean {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    const ok =
      !this.deny.some((re) => re.test(name)) &&
      (this.allow.length === 0 || this.allow.some((re) => re.test(name)));
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(name, ok);
    return ok;
  }
}
