/**
 * Replacement policies of the monitor's own paging: FIFO, clock, LRU (as
 * far as the monitor can observe references: through shadow faults), and
 * a policy a user writes as a TypeScript function.
 *
 * The monitor never peeks at the emulator for reference or modify
 * information. It learns that a page was referenced when the page's
 * shadow entries, which it invalidated, fault and are filled again; and
 * that it was modified when a write faults on a shadow entry it gave
 * without write rights (see `pager.ts`).
 *
 * @module
 */

/** One resident guest page offered to a replacement policy. */
export interface PageCandidate {
  /** The VM the page belongs to. */
  readonly vm: string;
  /** Guest-physical page number. */
  readonly page: number;
  /** Real frame holding it. */
  readonly frame: number;
  /** Simulated ns when it was brought into its frame. */
  readonly loadedAt: number;
  /** Simulated ns of the last reference the monitor observed. */
  readonly lastReference: number;
  /** Referenced since the monitor last cleared its reference bit. */
  readonly referenced: boolean;
  /** Modified since it was brought in (must be written before reuse). */
  readonly modified: boolean;
  /**
   * Reference history, 8 samples, most recent in bit 7 (an "aging"
   * register: each sample shifts right and puts the reference bit on top).
   */
  readonly history: number;
}

/**
 * A user policy: picks the victim among the candidates (never empty);
 * returns the chosen candidate or its index.
 */
export type PolicyFunction = (
  candidates: readonly PageCandidate[],
  now: number,
) => PageCandidate | number;

/** The monitor's replacement policy. */
export type PagingPolicy = "fifo" | "clock" | "lru" | PolicyFunction;

/** Name of a policy, for reports. */
export function policyName(p: PagingPolicy): string {
  return typeof p === "function" ? (p.name || "user function") : p;
}

/**
 * Checks a policy option.
 *
 * @throws {RangeError} when it is neither a known name nor a function
 */
export function checkPolicy(p: unknown): PagingPolicy {
  if (typeof p === "function") return p as PolicyFunction;
  if (p === "fifo" || p === "clock" || p === "lru") return p;
  throw new RangeError(
    `Cannot use paging policy ${
      JSON.stringify(p)
    }: expected "fifo", "clock", "lru" or a function (candidates) => victim`,
  );
}

/**
 * The index of the candidate a user function chose.
 *
 * @throws {RangeError} when the function returned something else
 */
export function chosenIndex(
  candidates: readonly PageCandidate[],
  choice: PageCandidate | number,
): number {
  if (typeof choice === "number") {
    if (Number.isInteger(choice) && choice >= 0 && choice < candidates.length) {
      return choice;
    }
  } else {
    const i = candidates.indexOf(choice);
    if (i >= 0) return i;
  }
  throw new RangeError(
    `The paging policy returned ${
      typeof choice === "object" ? JSON.stringify(choice) : String(choice)
    }: expected one of the ${candidates.length} candidates it was given, or its index`,
  );
}
