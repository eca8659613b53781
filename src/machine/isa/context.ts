/**
 * The narrow interface between the processor and the instruction families
 * that live in their own files (`src/machine/isa/*.ts`): bit fields,
 * queues, the rest of the integer set, floating point, character strings.
 *
 * The CPU decodes every operand from the opcode table before it calls a
 * family's executor, exactly as for the instructions of its own switch:
 *
 * | access | `opv[k]` | `oph[k]` | `opr[k]` | `opa[k]` |
 * |---|---|---|---|---|
 * | r (b, w, l, f) | value (b, w zero-extended) | | | |
 * | r (q, d, g) | low longword | high longword | | |
 * | m | value as for r | high longword (q, d, g) | register or -1 | address if memory |
 * | w | | | register or -1 | address if memory |
 * | a | effective address | | | |
 * | v | address (memory) or Rn's contents | | register or -1 | |
 * | b | sign-extended displacement | | | |
 *
 * A floating short literal is already expanded to its F, D or G bit
 * pattern (`S^#n` is 0.5..120.0). R15 holds the address of the next
 * instruction (the branch base) and `faultPc` the address of the opcode.
 *
 * Faults are thrown (they never return): `fault(vector)` backs the
 * instruction out and takes the exception with PC = the opcode, unless the
 * executor set PSL<FPD>, in which case register changes are kept so that
 * the instruction resumes from them.
 *
 * @module
 */

/** What an executor of an instruction family sees of the processor. */
export interface IsaContext {
  /** General registers R0..R15 (live; R15 = next instruction). */
  readonly r: Int32Array;
  /** Operand values or addresses, by operand position (see the table). */
  readonly opv: Int32Array;
  /** High longwords of quadword, D and G operands. */
  readonly oph: Int32Array;
  /** Register number of a register-mode m, w or v operand, else -1. */
  readonly opr: Int32Array;
  /** Address of a memory m or w operand. */
  readonly opa: Int32Array;
  /** The PSL (read and write; condition codes in bits 3:0). */
  psl: number;
  /** Address of the instruction's opcode. */
  readonly faultPc: number;
  /** Current access mode (PSL<25:24>). */
  readonly mode: number;
  /** Reads 1, 2 or 4 bytes at va in the current mode (b, w zero-extended). */
  read(va: number, size: number): number;
  /** Reads like {@link IsaContext.read} but checks write access (modify). */
  readModify(va: number, size: number): number;
  /** Writes 1, 2 or 4 bytes at va in the current mode. */
  write(va: number, size: number, value: number): void;
  /** Faults unless va may be read in the current mode. */
  probeRead(va: number): void;
  /** Faults unless va may be written in the current mode. */
  probeWrite(va: number): void;
  /**
   * Whether va may be read (or written) in the current mode, without
   * faulting: for instructions that must undo something (release an
   * interlock) before the fault is taken.
   */
  accessible(va: number, write: boolean): boolean;
  /** Stores a b, w or l result into operand k (register or memory). */
  store(k: number, size: number, value: number): void;
  /** Stores a quadword (or D, G) result into operand k. */
  storeQ(k: number, lo: number, hi: number): void;
  /** Sets the condition codes (N, Z, V, C in bits 3:0). */
  setCc(nzvc: number): void;
  /** Takes a fault through an SCB vector with no parameters. Never returns. */
  fault(vector: number): never;
  /** Reserved operand fault (SCB 0x18). Never returns. */
  reservedOperand(): never;
  /** Reserved addressing mode fault (SCB 0x1C). Never returns. */
  reservedAddressingMode(): never;
  /**
   * Arithmetic fault (SCB 0x34) with a type code: 8 floating overflow, 9
   * floating divide by zero, 10 floating underflow. PC = the instruction.
   * Never returns.
   */
  arithmeticFault(code: number): never;
  /**
   * Requests an arithmetic trap (SCB 0x34) taken after the instruction:
   * 1 integer overflow, 2 integer divide by zero, 7 subscript range...
   */
  trap(code: number): void;
  /** Sets V and, when PSL<IV> is set, requests the integer-overflow trap. */
  overflow(): void;
  /**
   * For bulk moves (the string instructions): the physical address of va
   * when the last read (write: false) or write (write: true) in the current
   * mode translated va's page and that page is plain memory, else -1. Never
   * faults and never translates: do one ordinary access in the page first.
   */
  pagePa(va: number, write: boolean): number;
  /** Adds the simulated time of n memory references (bulk moves). */
  charge(references: number): void;
  /** Physical memory as bytes (bulk moves at {@link IsaContext.pagePa}). */
  readonly u8: Uint8Array;
}

/**
 * Executes one instruction of a family. `op` is the opcode index: the
 * opcode byte, or 0x100 + the second byte of an 0xFDxx opcode.
 */
export type Executor = (x: IsaContext, op: number) => void;

/** A family's executors, by opcode as the table writes it (0xFDxx too). */
export type Family = Readonly<Record<number, Executor>>;
