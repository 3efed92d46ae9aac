// What a send's outcome means for each event of the batch. A transport rejects with a SendError
// listing the records it did not accept (by index, retriable or not); an event spread over
// several records (one per destination) is delivered when all of them were accepted, retried
// for the ones that failed retriably, and failed when any was refused for good. Any other
// rejection applies to the whole batch, classified by core's isRetriable.
import {
  ErrorCode,
  isKytosEventsError,
  isRetriable,
  KytosEventsError,
  type OutboundRecord,
  type SendFailure,
} from "@kytos-events/core";

/**
 * undefined: delivered. `retry`: the destinations to send again ([] = all of them), and why.
 * `failed`: refused for good.
 */
export type SendVerdict =
  | undefined
  | { readonly retry: readonly string[]; readonly error: KytosEventsError }
  | { readonly failed: KytosEventsError };

export function verdictsOf(
  itemCount: number,
  records: readonly OutboundRecord[],
  owners: readonly number[],
  error: unknown,
): SendVerdict[] {
  const verdicts = new Array<SendVerdict>(itemCount).fill(undefined);
  if (error === undefined) return verdicts;
  const failures = failuresOf(error);
  if (!failures) {
    const cause = asKytosError(error);
    const verdict: SendVerdict = isRetriable(error) ? { retry: [], error: cause } : { failed: cause };
    return verdicts.fill(verdict);
  }
  const recordsPerItem = new Array<number>(itemCount).fill(0);
  for (const owner of owners) recordsPerItem[owner]!++;
  const retry = new Map<number, { destinations: string[]; error: KytosEventsError }>();
  const fatal = new Map<number, KytosEventsError>();
  for (const failure of failures) {
    const owner = owners[failure.index];
    if (owner === undefined) continue;
    if (!failure.retriable) {
      if (!fatal.has(owner)) fatal.set(owner, asKytosError(failure.error));
      continue;
    }
    const entry = retry.get(owner) ?? { destinations: [], error: asKytosError(failure.error) };
    entry.destinations.push(records[failure.index]!.destination);
    retry.set(owner, entry);
  }
  for (const [owner, { destinations, error }] of retry) {
    verdicts[owner] = { retry: destinations.length === recordsPerItem[owner] ? [] : destinations, error };
  }
  for (const [owner, failed] of fatal) verdicts[owner] = { failed };
  return verdicts;
}

/**
 * Indexes of the records the broker accepted: all of them without an error, the ones no
 * per-record failure names when the error lists failures, none when the whole send failed.
 */
export function acceptedRecords(recordCount: number, error: unknown): number[] {
  if (error === undefined) return Array.from({ length: recordCount }, (_, i) => i);
  const failures = failuresOf(error);
  if (!failures) return [];
  const failed = new Set(failures.map((f) => f.index));
  const accepted: number[] = [];
  for (let i = 0; i < recordCount; i++) if (!failed.has(i)) accepted.push(i);
  return accepted;
}

function failuresOf(error: unknown): readonly SendFailure[] | undefined {
  const failures = (error as { failures?: unknown } | undefined)?.failures;
  return isKytosEventsError(error) && Array.isArray(failures) ? (failures as SendFailure[]) : undefined;
}

function asKytosError(err: unknown): KytosEventsError {
  if (isKytosEventsError(err)) return err;
  return new KytosEventsError(ErrorCode.SendRejected, (err as Error)?.message ?? String(err), { cause: err });
}
