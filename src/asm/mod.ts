/**
 * The assembler and disassembler layer (`src/asm/`): VAX MACRO-32 source to
 * bytes and back, both driven by the opcode table of `src/arch/`.
 *
 * @example Round trip
 * ```ts
 * import assert from "node:assert/strict";
 * import { assemble, disassemble } from "./mod.ts";
 * const a = assemble("loop: INCL R0\n BRB loop", { origin: 0x1000 });
 * const text = disassemble(a.bytes, a.origin).map((i) => i.text);
 * assert.deepEqual(text, ["INCL R0", "BRB ^X1000"]);
 * assert.deepEqual(assemble(text.join("\n"), { origin: 0x1000 }).bytes, a.bytes);
 * ```
 *
 * @module
 */

export {
  assemble,
  type AssembleOptions,
  Assembly,
  type AssemblyInit,
  type ListingLine,
} from "./assembler.ts";
export { type AsmDiagnostic, AsmError } from "./error.ts";
export {
  disassemble,
  disassembleOne,
  type Instruction,
} from "./disassembler.ts";
export type {
  CostClass,
  DataType,
  InstructionClass,
  OpcodeInfo,
  OperandAccess,
  OperandInfo,
} from "../arch/opcodes.ts";
