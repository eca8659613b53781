/**
 * The general registers (vax-architecture.md section 2.1).
 *
 * @module
 */

/** Register names in encoding order: R0..R11, then AP, FP, SP, PC (R12..R15). */
export const REGISTER_NAMES: readonly string[] = [
  "R0",
  "R1",
  "R2",
  "R3",
  "R4",
  "R5",
  "R6",
  "R7",
  "R8",
  "R9",
  "R10",
  "R11",
  "AP",
  "FP",
  "SP",
  "PC",
];

/**
 * The number of a general register named R0-R15, AP, FP, SP or PC (any
 * case), or undefined.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { generalRegister } from "./registers.ts";
 * ok(generalRegister("sp") === 14 && generalRegister("R15") === 15);
 * ```
 */
export function generalRegister(name: string): number | undefined {
  const n = name.toUpperCase();
  const i = REGISTER_NAMES.indexOf(n);
  if (i >= 0) return i;
  const m = /^R(1[0-5]|[0-9])$/.exec(n);
  return m ? Number(m[1]) : undefined;
}
