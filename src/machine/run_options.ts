/**
 * The one validation of run options, shared by `Machine`, `VirtualMachine`
 * and `Monitor` runs, and the default budget of a run without a limit.
 *
 * @module
 */

import type { RunOptions } from "./hardware.ts";

/**
 * Host time (ms) a run without an explicit `limit` may take before it stops
 * with `stop: "budget"` (run again to continue, or pass `limit`).
 */
export const DEFAULT_RUN_BUDGET_MS = 3000;

/** Run options after validation. */
export interface CheckedRunOptions {
  /** Instruction limit (Infinity: none; undefined: the default budget). */
  limit: number | undefined;
  /** Absolute simulated time (ns) to stop at, or Infinity. */
  untilNs: number;
  /** Breakpoints, as unsigned addresses, or undefined. */
  breakpoints: number[] | undefined;
  /** performance.now() value at which the budget ends, or Infinity. */
  hostDeadline: number;
}

const KNOWN = ["limit", "forNs", "untilNs", "breakpoints"];

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  if (typeof v === "object") return "an object";
  return String(v);
}

/**
 * Checks the options of a run and resolves them against the current
 * simulated time `now`: `limit` is a non-negative safe integer (or
 * Infinity, meaning no limit and no default budget), `forNs` and `untilNs`
 * are finite non-negative numbers, `breakpoints` an iterable of 32-bit
 * addresses; other keys are refused. `what` names the run in errors
 * (`"Machine.run"`); `extra` lists further keys the caller accepts.
 *
 * @example
 * ```ts
 * import { equal, throws } from "node:assert/strict";
 * import { checkRunOptions } from "./run_options.ts";
 * equal(checkRunOptions({ limit: 10 }, 0, "run").limit, 10);
 * throws(() => checkRunOptions({ limit: 1.5 }, 0, "run"), /limit 1.5/);
 * ```
 * @throws {TypeError} for options that are not an object or unknown keys
 * @throws {RangeError} for values out of range
 */
export function checkRunOptions(
  options: RunOptions | undefined,
  now: number,
  what: string,
  extra: readonly string[] = [],
): CheckedRunOptions {
  if (options === undefined) options = {};
  if (
    options === null || typeof options !== "object" || Array.isArray(options)
  ) {
    throw new TypeError(
      `Cannot ${what}(${
        describe(options)
      }): expected an options object such as { limit: 1000 }`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key) && !extra.includes(key)) {
      throw new TypeError(
        `Cannot ${what} with option "${key}": expected ${
          [...KNOWN, ...extra].join(", ")
        }`,
      );
    }
  }
  const { limit, forNs, untilNs, breakpoints } = options;
  if (
    limit !== undefined && limit !== Infinity &&
    !(typeof limit === "number" && Number.isSafeInteger(limit) && limit >= 0)
  ) {
    throw new RangeError(
      `Cannot ${what} with limit ${
        describe(limit)
      }: expected a whole number of instructions, 0 or more (Infinity for no limit)`,
    );
  }
  for (const [name, v] of [["forNs", forNs], ["untilNs", untilNs]] as const) {
    if (
      v !== undefined &&
      !(typeof v === "number" && Number.isFinite(v) && v >= 0)
    ) {
      throw new RangeError(
        `Cannot ${what} with ${name} ${
          describe(v)
        }: expected a finite number of nanoseconds, 0 or more`,
      );
    }
  }
  let until = untilNs ?? Infinity;
  if (forNs !== undefined) until = Math.min(until, now + forNs);
  let bps: number[] | undefined;
  if (breakpoints !== undefined) {
    if (
      breakpoints === null || typeof breakpoints !== "object" ||
      typeof (breakpoints as Iterable<number>)[Symbol.iterator] !== "function"
    ) {
      throw new TypeError(
        `Cannot ${what} with breakpoints ${
          describe(breakpoints)
        }: expected an array of addresses`,
      );
    }
    bps = [...breakpoints].map((a) => checkAddress(a, `${what} breakpoint`));
  }
  return {
    limit,
    untilNs: until,
    breakpoints: bps,
    hostDeadline: limit === undefined
      ? performance.now() + DEFAULT_RUN_BUDGET_MS
      : Infinity,
  };
}

/**
 * Checks a 32-bit address (an integer from 0 to 0xFFFFFFFF; negative
 * values down to -2^31 are taken as their two's complement) and returns it
 * unsigned.
 *
 * @throws {RangeError} naming `what` and the value
 */
export function checkAddress(a: unknown, what: string): number {
  if (
    typeof a !== "number" || !Number.isInteger(a) || a < -0x80000000 ||
    a > 0xffffffff
  ) {
    throw new RangeError(
      `Cannot use ${what} ${
        describe(a)
      }: expected an address from 0 to 0xFFFFFFFF`,
    );
  }
  return a >>> 0;
}

/** The reason text of a run stopped by the default budget. */
export function budgetReason(instructions: number): string {
  return `stopped after the default budget of ${
    DEFAULT_RUN_BUDGET_MS / 1000
  } s of host time (${
    instructions.toLocaleString("en-US")
  } instructions): run again to continue, or pass { limit } (Infinity for none)`;
}

/** The reason text of an interrupted run. */
export const INTERRUPT_REASON =
  "interrupted (Ctrl-C): the machine is intact, run again to continue";
