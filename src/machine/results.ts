/**
 * How run results look. A run returns a plain object of numbers (scripts
 * compute with them); in the REPL and in notebooks it shows in the numbers
 * convention of every rendering: PC and PSL in hex marked `0x`, counts and
 * times in decimal with their units.
 *
 * @module
 */

import { REGISTER_NAMES } from "../arch/registers.ts";

import { formatPsl } from "../arch/psl.ts";
import type { CpuState, RunResult } from "./hardware.ts";
import { formatCount, formatHex, formatNs } from "./units.ts";

const INSPECT = Symbol.for("Deno.customInspect");
const JUPYTER = Symbol.for("Jupyter.display");

/**
 * Gives a result object a rendering: `text()` for the REPL and
 * `text/plain` in notebooks. The symbols are not enumerable, so the object
 * still equals (deepStrictEqual) a plain one with the same fields.
 *
 * @example
 * ```ts
 * import { deepEqual, equal } from "node:assert/strict";
 * import { withRendering } from "./results.ts";
 * const r = withRendering({ n: 26 }, (o) => `n=0x${o.n.toString(16)}`);
 * deepEqual(r, { n: 26 });
 * equal(Deno.inspect(r), "n=0x1a");
 * ```
 *
 * @param result the object returned to the caller
 * @param text its rendering
 * @returns `result` itself
 */
export function withRendering<T extends object>(
  result: T,
  text: (result: T) => string,
): T {
  Object.defineProperty(result, INSPECT, {
    value: () => text(result),
    configurable: true,
  });
  Object.defineProperty(result, JUPYTER, {
    value: () => ({ "text/plain": text(result) }),
    configurable: true,
  });
  return result;
}

/**
 * The rendering of a run result: why it stopped; how much ran, where.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { formatRunResult } from "./results.ts";
 * equal(
 *   formatRunResult({
 *     stop: "halt",
 *     reason: "HALT instruction",
 *     instructions: 24,
 *     ns: 6440,
 *     pc: 0x100e,
 *     psl: 0x041f0004,
 *   }),
 *   "stop: halt (HALT instruction)\n" +
 *     "24 instructions, 6.44 µs, PC=0x0000100E PSL=0x041F0004",
 * );
 * ```
 *
 * @param r a result of `run()` or `step()`
 * @returns one line
 */
export function formatRunResult(r: RunResult): string {
  const why = r.reason && r.reason !== r.stop ? ` (${r.reason})` : "";
  return `stop: ${r.stop}${why}\n${
    formatCount(r.instructions, "instruction")
  }, ${formatNs(r.ns)}, PC=${formatHex(r.pc, 8)} PSL=${formatHex(r.psl, 8)}`;
}

/**
 * Gives a run result its rendering ({@link formatRunResult}).
 *
 * @param r the result
 * @returns `r` itself
 */
export function renderRunResult(r: RunResult): RunResult {
  return withRendering(r, formatRunResult);
}

/**
 * The rendering of a processor state: registers four to a line, the PSL
 * with its fields, then the IPRs four to a line, all in hex marked `0x`
 * (within 80 columns).
 *
 * @example
 * ```ts
 * import { match } from "node:assert/strict";
 * import { formatState } from "./results.ts";
 * const text = formatState({
 *   r: Array.from({ length: 16 }, (_, i) => i),
 *   psl: 0x041f0000,
 *   iprs: { SCBB: 0x2200 },
 * });
 * match(text, /PC=0x0000000F/);
 * match(text, /PSL=0x041F0000 CUR=K PRV=K IPL=0x1F IS/);
 * match(text, /SCBB=0x00002200/);
 * ```
 *
 * @param s a result of `state()`
 * @returns the lines
 */
export function formatState(s: CpuState): string {
  const cells = (pairs: [string, number][]) => {
    const lines: string[] = [];
    for (let i = 0; i < pairs.length; i += 4) {
      lines.push(
        pairs.slice(i, i + 4).map(([n, v]) =>
          `${n.padStart(6)}=${formatHex(v, 8)}`
        ).join(" "),
      );
    }
    return lines;
  };
  return [
    ...cells(s.r.map((v, i) => [REGISTER_NAMES[i] ?? `R${i}`, v])),
    `   PSL=${formatPsl(s.psl)}`,
    ...cells(Object.entries(s.iprs)),
  ].join("\n");
}

/**
 * Gives a processor state its rendering ({@link formatState}).
 *
 * @param s the state
 * @returns `s` itself
 */
export function renderState(s: CpuState): CpuState {
  return withRendering(s, formatState);
}
