/**
 * Exit kinds as integers, and a VM's exit counters in a typed array. Every
 * exit of a VM to its monitor is counted under a kind: the mnemonic of the
 * instruction of a VM-emulation exit (`REI`, `CHMK`, `MTPR`...), `ACV` or
 * `TNV` for the memory-management faults, the SCB vector's name for any
 * other exception (`reserved instruction`, `emulate`...), `interrupt` for a
 * real interrupt. The exit path counts a small integer (an exit code, one
 * numbering for the monitor's exits, its nested monitors' and the
 * processor's own system calls, vm_fastpath.ts) and builds no string; the
 * names are made only when somebody reads them (statistics, a trace, an
 * exit hook).
 *
 * Exit codes: 0-511 a VM-emulation exit of the instruction with that
 * opcode index (the opcode byte, or 0x100 | the second byte of a two-byte
 * opcode), {@link EXIT_EXCEPTION} + vector / 4 an exception with that SCB
 * vector (0x000-0x3FC), {@link EXIT_INTERRUPT} a real interrupt.
 *
 * @module
 */

import { OPCODE_BY_INDEX } from "../arch/opcodes.ts";
import { SCB, vectorName } from "../arch/scb.ts";

/** First exit code of the exceptions: `EXIT_EXCEPTION + vector / 4`. */
export const EXIT_EXCEPTION = 0x200;
/** The exit code of a real interrupt (every vector: one kind). */
export const EXIT_INTERRUPT = 0x300;
/** How many exit codes there are (codes are 0 to `EXIT_CODES - 1`). */
export const EXIT_CODES = 0x301;

/** What an exit code is made from: the exit record's kind, opcode and vector. */
export interface ExitKey {
  /** `vm-emulation`, `exception` or `interrupt`. */
  readonly kind: string;
  /** Opcode index of the instruction (vm-emulation). */
  readonly opcode: number;
  /** SCB vector offset. */
  readonly vector: number;
}

/**
 * The exit code of an exit record (see the module documentation).
 *
 * @param x an exit record (`CpuExit`)
 * @returns its code, 0 to {@link EXIT_CODES} - 1
 * @throws RangeError for an opcode index beyond 0x1FF or an exception
 * vector that is not a longword offset below 0x400 (no processor makes one)
 *
 * @example
 * ```ts
 * import { exitCode, exitKindName } from "./exit_kinds.ts";
 * import { equal } from "node:assert/strict";
 *
 * const rei = exitCode({ kind: "vm-emulation", opcode: 0x02, vector: 0x3c });
 * equal(exitKindName(rei), "REI");
 * ```
 */
export function exitCode(x: ExitKey): number {
  if (x.kind === "vm-emulation") {
    const op = x.opcode;
    if (op >>> 0 !== op || op > 0x1ff) {
      throw new RangeError(
        `Cannot count a VM-emulation exit of opcode index ${op}: expected 0 to 0x1FF`,
      );
    }
    return op;
  }
  if (x.kind === "interrupt") return EXIT_INTERRUPT;
  return exceptionCode(x.vector);
}

/**
 * The exit code of a VM-emulation exit of an opcode (byte, or 0x100 | the
 * second byte of a two-byte opcode): the opcode index itself.
 *
 * @param opcode opcode index, 0 to 0x1FF
 * @returns its exit code
 */
export function emulationCode(opcode: number): number {
  return exitCode({ kind: "vm-emulation", opcode, vector: SCB.VM_EMULATION });
}

/**
 * The exit code of an exception exit with an SCB vector.
 *
 * @param vector SCB vector offset, a multiple of 4 below 0x400
 * @returns `EXIT_EXCEPTION + vector / 4`
 * @throws RangeError for any other vector
 */
export function exceptionCode(vector: number): number {
  if (vector >>> 0 !== vector || vector > 0x3fc || (vector & 3) !== 0) {
    throw new RangeError(
      `Cannot count an exception exit with vector ${vector}: expected a multiple of 4 from 0 to 0x3FC`,
    );
  }
  return EXIT_EXCEPTION + (vector >>> 2);
}

const NAMES: (string | undefined)[] = new Array(EXIT_CODES);

/**
 * The name exits of a code are counted under: the instruction's mnemonic
 * (`?` for an opcode the table lacks), `ACV`, `TNV`, the vector's name, or
 * `interrupt`. Made once per code, then remembered.
 *
 * @param code an exit code
 * @returns its name
 * @throws RangeError for a number that is not an exit code
 *
 * @example
 * ```ts
 * import { EXIT_INTERRUPT, exceptionCode, exitKindName } from "./exit_kinds.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(exitKindName(exceptionCode(0x20)), "ACV");
 * equal(exitKindName(exceptionCode(0x10)), "reserved instruction");
 * equal(exitKindName(EXIT_INTERRUPT), "interrupt");
 * ```
 */
export function exitKindName(code: number): string {
  const known = NAMES[code];
  if (known !== undefined) return known;
  if (code >>> 0 !== code || code >= EXIT_CODES) {
    throw new RangeError(
      `Cannot name exit code ${code}: expected 0 to ${EXIT_CODES - 1}`,
    );
  }
  let name: string;
  if (code < EXIT_EXCEPTION) name = OPCODE_BY_INDEX[code]?.mnemonic ?? "?";
  else if (code === EXIT_INTERRUPT) name = "interrupt";
  else {
    const vector = (code - EXIT_EXCEPTION) << 2;
    name = vector === SCB.ACCESS_VIOLATION
      ? "ACV"
      : vector === SCB.TRANSLATION_NOT_VALID
      ? "TNV"
      : vectorName(vector);
  }
  NAMES[code] = name;
  return name;
}

/**
 * One VM's exits counted by code, in a typed array (exact up to 2^53 per
 * code), remembering the order in which codes were first counted so that
 * {@link ExitCounts.toRecord} lists the kinds in the order their first exit
 * came. Counting allocates nothing.
 *
 * @example
 * ```ts
 * import { emulationCode, exceptionCode, ExitCounts } from "./exit_kinds.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 *
 * const c = new ExitCounts();
 * c.add(emulationCode(0xbc)); // CHMK
 * c.add(exceptionCode(0x24)); // TNV
 * c.add(emulationCode(0xbc));
 * equal(c.count(emulationCode(0xbc)), 2);
 * deepEqual(c.toRecord(), { CHMK: 2, TNV: 1 });
 * ```
 */
export class ExitCounts {
  /** Exits by code. */
  readonly #n = new Float64Array(EXIT_CODES);
  /** The codes counted so far, in the order of their first exit. */
  readonly #order = new Uint16Array(EXIT_CODES);
  #seen = 0;

  /**
   * Counts one exit of a code.
   *
   * @param code an exit code (from {@link exitCode} and friends)
   */
  add(code: number): void {
    const c = this.#n;
    if (c[code]!++ === 0) this.#order[this.#seen++] = code;
  }

  /**
   * The exits counted under a code.
   *
   * @param code an exit code
   * @returns how many (0 for a code never counted)
   */
  count(code: number): number {
    return this.#n[code] ?? 0;
  }

  /** How many different codes have been counted. */
  get kinds(): number {
    return this.#seen;
  }

  /**
   * The counts by name, in the order each name's first exit came: a new
   * object at each call (changing it changes nothing here). Codes that
   * share a name (opcodes the table lacks: `?`) add up.
   *
   * @returns exit counts by kind name
   */
  toRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    const c = this.#n;
    const order = this.#order;
    for (let i = 0; i < this.#seen; i++) {
      const code = order[i]!;
      const name = exitKindName(code);
      out[name] = (out[name] ?? 0) + c[code]!;
    }
    return out;
  }
}
