/**
 * Compiled blocks: a straight run of decoded instructions (decode_cache.ts)
 * turned into one JavaScript function, for the instructions and operand
 * kinds that are common in loops (longword moves, adds, subtracts,
 * compares, loop and conditional branches, the F-floating arithmetic,
 * moves, tests and conversions from integers; literal, register,
 * autoincrement, displacement, deferred, immediate and absolute operands).
 * Everything else stays with the interpreter: a block ends before the
 * first instruction it cannot compile, and after the first one that
 * transfers control.
 *
 * The generated code does what the interpreter does, in the same order:
 * per instruction it records the instruction's PC and opcode for faults,
 * charges the opcode's cost, evaluates the specifiers left to right
 * (autoincrements queued for the back-out of a fault, PC set past each
 * specifier as the interpreter's fetches leave it), reads and writes memory
 * through the processor's own access paths (which charge the references,
 * translate and fault), then writes the result and the condition codes.
 * Between instructions it stops when simulated time reaches the next event
 * or limit, when an overflow trap is pending, and when a store dropped
 * decoded code; the run loop enters a block only when nothing needs
 * attention at the boundary and the instruction budget covers the whole
 * block. Only numbers decoded from guest memory appear in the source.
 *
 * @module
 */

import {
  D_ABS,
  D_AINC,
  D_BR,
  D_DEFER,
  D_DISP,
  D_IMM,
  D_LIT,
  D_REG,
  D_REGDEF,
  D_SLOW,
} from "./decode_cache.ts";

/**
 * What a compiled block reaches of the processor. `st[0]` counts the
 * instructions the block has started (the faulting one included); `st[1]`
 * changes whenever decoded code is dropped.
 */
export interface BlockHost {
  /** General registers. */
  readonly r: Int32Array;
  /** Simulated time (the processor's #t: [now, memory reference]). */
  readonly t: Float64Array;
  /** [instructions started in the block, code drops]. */
  readonly st: Int32Array;
  /** Cost of each opcode, ns. */
  readonly opCost: Float64Array;
  /** The PSL holder (the processor). */
  readonly cpu: { psl: number };
  /** Starts an instruction: its PC and opcode for faults, no queued registers. */
  begin(pc: number, op: number): void;
  /** Queues an autoincrement for the back-out of a fault. */
  q(rn: number, delta: number): void;
  /** Reads in the current mode. */
  rd(va: number, size: number): number;
  /** Reads a modify operand (with the write-access check). */
  rdm(va: number, size: number): number;
  /** Writes in the current mode. */
  wr(va: number, size: number, v: number): void;
  /**
   * The result of an F instruction (ADDF..DIVF, MOVF, MNEGF, CVTBF..CVTLF)
   * of operands 0 and 1 (floating.ts fResult): faults as the interpreter.
   */
  fr(op: number, a: number, b: number): number;
  /** The N and Z bits of TSTF or CMPF (floating.ts fOrder). */
  fo(op: number, a: number, b: number): number;
  /** Requests the integer-overflow trap. */
  trap(): void;
  /** Requests the integer divide-by-zero trap. */
  divz(): void;
  /** Raises the reserved-operand fault. */
  rsvd(): never;
  /** The PSL as MOVPSL reads it (a VM's own PSL inside a VM). */
  movpsl(): number;
  /** Time of the next event or limit (the run loop's deadline). */
  deadline(): number;
  /**
   * Whether nothing needs the instruction boundary (no attention, no T,
   * TP or FPD, no stop): a block that branches back to its own start runs
   * again only then.
   */
  quiet(): boolean;
}

/**
 * A compiled block: runs from the given PC (the block's first instruction).
 * `left` is the run loop's instruction budget: a block that branches back
 * to its own start runs again while the budget covers a whole pass (and
 * nothing else stops it), so that it never starts more than `left`
 * instructions.
 */
export type BlockFn = (pc: number, left: number) => void;

/** Most instructions in one block. */
export const BLOCK_MAX = 16;

const PSL_C = 1, PSL_V = 2, PSL_Z = 4, PSL_N = 8, PSL_IV = 0x20;

/** Each processor's compiled sources already turned into factories. */
const FACTORIES = new WeakMap<
  BlockHost,
  { id: number; factories: Map<string, (h: BlockHost) => BlockFn> }
>();
let nextHost = 0;

/** Operand code: statements, the value expression, the destination. */
interface Operand {
  code: string;
  val: string;
  /** Register number of a register destination, or -1 for memory. */
  reg: number;
  /** Address expression of a memory destination. */
  ea: string;
  size: number;
}

/** Opcodes the compiler takes, with their operand accesses' sizes. */
const COMPILED = new Set([
  0xd0,
  0x9e,
  0xde,
  0xd4,
  0xd5,
  0xd1,
  0xd6,
  0xd7,
  0xc0,
  0xc1,
  0xc2,
  0xc3,
  0xf4,
  0xf5,
  0xf2,
  0xf3,
  0x11,
  0x31,
  0x12,
  0x13,
  0x14,
  0x15,
  0x18,
  0x19,
  0x1a,
  0x1b,
  0x1c,
  0x1d,
  0x1e,
  0x1f,
  0x9a,
  0x90,
  // F floating: ADDF..DIVF (2 and 3 operand), CVTBF, CVTWF, CVTLF, MOVF,
  // CMPF, MNEGF, TSTF.
  0x40,
  0x41,
  0x42,
  0x43,
  0x44,
  0x45,
  0x46,
  0x47,
  0x4c,
  0x4d,
  0x4e,
  0x50,
  0x51,
  0x52,
  0x53,
]);

/** Branch conditions (PSL test) of the conditional branches. */
const COND: Record<number, string> = {
  0x12: `(c.psl & ${PSL_Z}) === 0`,
  0x13: `(c.psl & ${PSL_Z}) !== 0`,
  0x14: `(c.psl & ${PSL_N | PSL_Z}) === 0`,
  0x15: `(c.psl & ${PSL_N | PSL_Z}) !== 0`,
  0x18: `(c.psl & ${PSL_N}) === 0`,
  0x19: `(c.psl & ${PSL_N}) !== 0`,
  0x1a: `(c.psl & ${PSL_C | PSL_Z}) === 0`,
  0x1b: `(c.psl & ${PSL_C | PSL_Z}) !== 0`,
  0x1c: `(c.psl & ${PSL_V}) === 0`,
  0x1d: `(c.psl & ${PSL_V}) !== 0`,
  0x1e: `(c.psl & ${PSL_C}) === 0`,
  0x1f: `(c.psl & ${PSL_C}) !== 0`,
};

/** Control transfers: a block ends after one. */
function transfers(op: number): boolean {
  return op === 0x11 || op === 0x31 || (op >= 0x12 && op <= 0x1f) ||
    (op >= 0xf2 && op <= 0xf5);
}

/**
 * Builds the code of operand i of the instruction at entry e (PC offset
 * `at` from the block's start), or null if its kind is not compiled.
 */
function operand(
  dc: Int32Array,
  e: number,
  i: number,
  at: number,
  byte: (k: number) => number = () => 0,
): Operand | null {
  const w = dc[e + 3 + 2 * i]!;
  const arg = dc[e + 4 + 2 * i]!;
  const kind = w & 15;
  const rn = (w >> 4) & 15;
  const d = (w >> 8) & 0xff;
  const acc = d >> 4;
  const size = d & 15;
  const end = at + (w >>> 24);
  const v = `v${i}`;
  const op: Operand = { code: "", val: v, reg: -1, ea: "", size };
  if (kind === D_LIT || kind === D_IMM || kind === D_BR) {
    op.val = String(arg);
    return op;
  }
  if (kind === D_REG) {
    op.reg = rn;
    const mask = size === 4 ? "" : size === 1 ? " & 0xff" : " & 0xffff";
    if (acc === 1 || acc === 2) op.code = `const ${v} = r[${rn}]${mask};\n`;
    return op;
  }
  const ea = `e${i}`;
  let code = `r[15] = pc + ${end};\n`;
  switch (kind) {
    case D_AINC:
      code += `const ${ea} = r[${rn}] | 0;\nr[${rn}] = ${ea} + ${size};\n` +
        `h.q(${rn}, ${size});\n`;
      break;
    case D_DISP:
      code += rn === 15
        ? `const ${ea} = (pc + ${end + arg}) | 0;\n`
        : `const ${ea} = (r[${rn}] + ${arg}) | 0;\n`;
      break;
    case D_DEFER:
      code += rn === 15
        ? `const ${ea} = h.rd((pc + ${end + arg}) | 0, 4) | 0;\n`
        : `const ${ea} = h.rd((r[${rn}] + ${arg}) | 0, 4) | 0;\n`;
      break;
    case D_REGDEF:
      code += `const ${ea} = r[${rn}] | 0;\n`;
      break;
    case D_ABS:
      code += `const ${ea} = ${arg | 0};\n`;
      break;
    case D_SLOW: {
      const a = slowAddress(arg, size, ea, i, (w >>> 16) & 0xff, end, byte);
      if (a === null) return null;
      code += a;
      break;
    }
    default:
      return null;
  }
  op.ea = ea;
  if (acc === 1) code += `const ${v} = h.rd(${ea}, ${size});\n`;
  else if (acc === 2) code += `const ${v} = h.rdm(${ea}, ${size});\n`;
  else if (acc === 4 || acc === 5) op.val = ea; // address, field base
  else if (acc !== 3) return null;
  op.code = code;
  return op;
}

/**
 * Address code of a specifier the decode cache leaves to the general path
 * (D_SLOW: `s` is its first byte, `start` its offset from the opcode,
 * `end` the block offset after it): autodecrement, autoincrement of an
 * address or field operand, autoincrement deferred, and index mode with
 * its base (read from the instruction's bytes), evaluated as the
 * interpreter's #spec and #indexBase do: the index register times the
 * operand size first, then the base. Null for the forms that fault.
 */
function slowAddress(
  s: number,
  size: number,
  ea: string,
  i: number,
  start: number,
  end: number,
  byte: (k: number) => number,
): string | null {
  const rn = s & 15;
  const mode = s >> 4;
  if (rn === 15) {
    // PC: autodecrement and deferred autoincrement forms fault, and the
    // immediate of a non-read operand stays with the interpreter.
    if (mode !== 4) return null;
  }
  switch (mode) {
    case 7:
      return `r[${rn}] = r[${rn}] - ${size};\nh.q(${rn}, ${-size});\n` +
        `const ${ea} = r[${rn}] | 0;\n`;
    case 8:
      return `const ${ea} = r[${rn}] | 0;\nr[${rn}] = r[${rn}] + ${size};\n` +
        `h.q(${rn}, ${size});\n`;
    case 9:
      return `const ${ea} = h.rd(r[${rn}] | 0, 4) | 0;\n` +
        `r[${rn}] = r[${rn}] + 4;\nh.q(${rn}, 4);\n`;
    case 4:
      break;
    default:
      return null;
  }
  // Index mode: rn is the index register; the base specifier follows.
  const x = `x${i}`, b = `b${i}`;
  const bs = byte(start + 1);
  const bn = bs & 15;
  const bm = bs >> 4;
  let code = `const ${x} = r[${rn}] * ${size};\n`;
  const disp = (n: number): number => {
    let v = 0;
    for (let k = 0; k < n; k++) v |= byte(start + 2 + k) << (8 * k);
    return n === 1 ? (v << 24) >> 24 : n === 2 ? (v << 16) >> 16 : v | 0;
  };
  switch (bm) {
    case 6:
      if (bn === 15) return null;
      code += `const ${b} = r[${bn}] | 0;\n`;
      break;
    case 7:
      if (bn === 15) return null;
      code += `r[${bn}] = r[${bn}] - ${size};\nh.q(${bn}, ${-size});\n` +
        `const ${b} = r[${bn}] | 0;\n`;
      break;
    case 8:
      if (bn === 15) return null;
      code += `const ${b} = r[${bn}] | 0;\nr[${bn}] = r[${bn}] + ${size};\n` +
        `h.q(${bn}, ${size});\n`;
      break;
    case 9:
      code += bn === 15
        ? `const ${b} = ${disp(4)};\n`
        : `const ${b} = h.rd(r[${bn}] | 0, 4) | 0;\n` +
          `r[${bn}] = r[${bn}] + 4;\nh.q(${bn}, 4);\n`;
      break;
    case 0xa:
    case 0xb:
    case 0xc:
    case 0xd:
    case 0xe:
    case 0xf: {
      const d = disp(bm <= 0xb ? 1 : bm <= 0xd ? 2 : 4);
      const at = bn === 15 ? `(pc + ${end + d}) | 0` : `(r[${bn}] + ${d}) | 0`;
      code += (bm & 1) === 0
        ? `const ${b} = ${at};\n`
        : `const ${b} = h.rd(${at}, 4) | 0;\n`;
      break;
    }
    default:
      return null;
  }
  return code + `const ${ea} = (${b} + ${x}) | 0;\n`;
}

/** Code storing x into a destination operand. */
function store(o: Operand, x: string): string {
  if (o.reg >= 0) {
    const r = `r[${o.reg}]`;
    if (o.size === 4) return `${r} = ${x};\n`;
    const m = o.size === 1 ? "0xff" : "0xffff";
    return `${r} = (${r} & ~${m}) | ((${x}) & ${m});\n`;
  }
  return `h.wr(${o.ea}, ${o.size}, ${x});\n`;
}

const NZ4 = (x: string) => `(${x} < 0 ? ${PSL_N} : ${x} === 0 ? ${PSL_Z} : 0)`;
/** N and Z of an F-floating result (sign bit 15; zero only when all 0). */
const NZF = (x: string) =>
  `((${x} & 0x8000) !== 0 ? ${PSL_N} : ${x} === 0 ? ${PSL_Z} : 0)`;

/**
 * An F instruction: the result of operands 0 and 1 into `dst` (as the
 * family's executor: nothing stored on a fault), N and Z from it, V
 * cleared, C cleared or (MOVF) kept.
 */
function fResultCode(op: number, o: Operand[], dst: Operand): string {
  const b = op < 0x48 ? o[1]!.val : "0";
  const keep = op === 0x50 ? "~0xe" : "~0xf";
  return `{ const v = h.fr(${op}, ${o[0]!.val}, ${b});
` + store(dst, "v") +
    `c.psl = (c.psl & ${keep}) | ${NZF("v")}; }
`;
}

/** Semantics of op on its operands; "" if not compiled. */
function semantics(op: number, o: Operand[], next: string): string {
  const add = (a: string, b: string, d: Operand) =>
    `{ const a = ${a}, b = ${b};\n` +
    `const sum = (a >>> 0) + (b >>> 0);\nconst res = sum | 0;\n` +
    store(d, "res") +
    `let cc = ${NZ4("res")};\nif (sum > 0xffffffff) cc |= ${PSL_C};\n` +
    `if ((~(a ^ b) & (a ^ res)) < 0) { cc |= ${PSL_V}; ` +
    `if ((c.psl & ${PSL_IV}) !== 0) { h.trap(); trapped = 1; } }\n` +
    `c.psl = (c.psl & ~0xf) | cc; }\n`;
  const sub = (min: string, s: string, d: Operand) =>
    `{ const um = (${min}) >>> 0, us = (${s}) >>> 0;\n` +
    `const res = (um - us) | 0;\n` + store(d, "res") +
    `let cc = ${NZ4("res")};\nif (um < us) cc |= ${PSL_C};\n` +
    `if (((um ^ us) & (um ^ res) & 0x80000000) !== 0) { cc |= ${PSL_V}; ` +
    `if ((c.psl & ${PSL_IV}) !== 0) { h.trap(); trapped = 1; } }\n` +
    `c.psl = (c.psl & ~0xf) | cc; }\n`;
  switch (op) {
    case 0xd0: // MOVL
      return `{ const v = ${o[0]!.val};\n` + store(o[1]!, "v") +
        `c.psl = (c.psl & ~0xe) | ${NZ4("v")}; }\n`;
    case 0x9e:
    case 0xde: // MOVAB, MOVAL
      return `{ const v = ${o[0]!.val};\n` + store(o[1]!, "v") +
        `c.psl = (c.psl & ~0xe) | ${NZ4("v")}; }\n`;
    case 0x9a: // MOVZBL
      return `{ const v = (${o[0]!.val}) & 0xff;\n` + store(o[1]!, "v") +
        `c.psl = (c.psl & ~0xe) | (v === 0 ? ${PSL_Z} : 0); }\n`;
    case 0x90: // MOVB
      return `{ const v = ${o[0]!.val};\n` + store(o[1]!, "v") +
        `const s = (v << 24) >> 24;\n` +
        `c.psl = (c.psl & ~0xe) | ${NZ4("s")}; }\n`;
    case 0xd4: // CLRL
      return store(o[0]!, "0") + `c.psl = (c.psl & ~0xe) | ${PSL_Z};\n`;
    case 0xd5: // TSTL
      return `{ const v = ${o[0]!.val} | 0;\n` +
        `c.psl = (c.psl & ~0xf) | ${NZ4("v")}; }\n`;
    case 0xd1: // CMPL
      return `{ const a = ${o[0]!.val} | 0, b = ${o[1]!.val} | 0;\n` +
        `let cc = a < b ? ${PSL_N} : a === b ? ${PSL_Z} : 0;\n` +
        `if ((a >>> 0) < (b >>> 0)) cc |= ${PSL_C};\n` +
        `c.psl = (c.psl & ~0xf) | cc; }\n`;
    case 0xd6: // INCL
      return add("1", o[0]!.val, o[0]!);
    case 0xd7: // DECL
      return sub(o[0]!.val, "1", o[0]!);
    case 0xc0: // ADDL2
      return add(o[0]!.val, o[1]!.val, o[1]!);
    case 0xc1: // ADDL3
      return add(o[0]!.val, o[1]!.val, o[2]!);
    case 0xc2: // SUBL2
      return sub(o[1]!.val, o[0]!.val, o[1]!);
    case 0xc3: // SUBL3
      return sub(o[1]!.val, o[0]!.val, o[2]!);
    case 0xf4:
    case 0xf5: { // SOBGEQ, SOBGTR
      const test = op === 0xf5 ? "res > 0" : "res >= 0";
      return `{ const idx = ${o[0]!.val};\nconst res = (idx - 1) | 0;\n` +
        store(o[0]!, "res") +
        `const ov = idx === -0x80000000;\n` +
        `c.psl = (c.psl & ~0xe) | ${NZ4("res")} | (ov ? ${PSL_V} : 0);\n` +
        `if (ov && (c.psl & ${PSL_IV}) !== 0) { h.trap(); trapped = 1; }\n` +
        `if (${test}) { r[15] = (${next} + ${o[1]!.val}) | 0; ` +
        `taken = 1; } }\n`;
    }
    case 0xf2:
    case 0xf3: { // AOBLSS, AOBLEQ
      const test = op === 0xf2 ? "res < limit" : "res <= limit";
      return `{ const limit = ${o[0]!.val}, idx = ${o[1]!.val};\n` +
        `const res = (idx + 1) | 0;\n` + store(o[1]!, "res") +
        `const ov = idx === 0x7fffffff;\n` +
        `c.psl = (c.psl & ~0xe) | ${NZ4("res")} | (ov ? ${PSL_V} : 0);\n` +
        `if (ov && (c.psl & ${PSL_IV}) !== 0) { h.trap(); trapped = 1; }\n` +
        `if (${test}) { r[15] = (${next} + ${o[2]!.val}) | 0; ` +
        `taken = 1; } }\n`;
    }
    case 0x40:
    case 0x42:
    case 0x44:
    case 0x46: // ADDF2, SUBF2, MULF2, DIVF2
      return fResultCode(op, o, o[1]!);
    case 0x41:
    case 0x43:
    case 0x45:
    case 0x47: // ADDF3, SUBF3, MULF3, DIVF3
      return fResultCode(op, o, o[2]!);
    case 0x4c:
    case 0x4d:
    case 0x4e:
    case 0x50:
    case 0x52: // CVTBF, CVTWF, CVTLF, MOVF, MNEGF
      return fResultCode(op, o, o[1]!);
    case 0x51:
    case 0x53: // CMPF, TSTF
      return `c.psl = (c.psl & ~0xf) | h.fo(${op}, ${o[0]!.val}, ${
        op === 0x51 ? o[1]!.val : "0"
      });
`;
    case 0x11:
    case 0x31: // BRB, BRW
      return `r[15] = (${next} + ${o[0]!.val}) | 0;\ntaken = 1;\n`;
    default: {
      const cond = COND[op];
      if (cond === undefined) return "";
      return `if (${cond}) { r[15] = (${next} + ${o[0]!.val}) | 0; ` +
        `taken = 1; }\n`;
    }
  }
}

// ---------------------------------------------------------------------------
// The wider integer set: byte and word forms, logical operations, shifts,
// conversions, multiply and divide, push, subroutine branches and jumps,
// bit branches, MOVPSL and BISPSW/BICPSW. Each case mirrors cpu.ts's
// #execute case (and its #add/#sub/#cmp/#logic/#mul/#div helpers)
// statement by statement: the same operand values, the same store before
// the condition codes, the same trap requests.

/**
 * Control transfers of the wider set (RSB, BSBB, BSBW, JSB, JMP, BLBS,
 * BLBC, BBS, BBC, ACBL): a block ends after one.
 */
const INTEGER_TRANSFERS = new Set([
  0x05,
  0x10,
  0x30,
  0x16,
  0x17,
  0xe8,
  0xe9,
  0xe0,
  0xe1,
  0xf1,
]);

/** Opcodes of the wider integer set. */
const INTEGER = new Set([
  // MOVB/W, MOVZBW, MOVZWL, CVTBL, CVTWL, CVTLB, CVTLW, MOVAW
  0xb0,
  0x9b,
  0x3c,
  0x98,
  0x32,
  0xf6,
  0xf7,
  0x3e,
  // CLRB/W, MCOMx, MNEGx, INCB/W, DECB/W, TSTB/W, CMPB/W, BITx
  0x94,
  0xb4,
  0x92,
  0xb2,
  0xd2,
  0x8e,
  0xae,
  0xce,
  0x96,
  0xb6,
  0x97,
  0xb7,
  0x95,
  0xb5,
  0x91,
  0xb1,
  0x93,
  0xb3,
  0xd3,
  // ADDx, SUBx (byte, word), MULx, DIVx
  0x80,
  0x81,
  0xa0,
  0xa1,
  0x82,
  0x83,
  0xa2,
  0xa3,
  0x84,
  0x85,
  0xa4,
  0xa5,
  0xc4,
  0xc5,
  0x86,
  0x87,
  0xa6,
  0xa7,
  0xc6,
  0xc7,
  // BISx, BICx, XORx
  0x88,
  0x89,
  0xa8,
  0xa9,
  0xc8,
  0xc9,
  0x8a,
  0x8b,
  0xaa,
  0xab,
  0xca,
  0xcb,
  0x8c,
  0x8d,
  0xac,
  0xad,
  0xcc,
  0xcd,
  // ASHL, ROTL, PUSHL, PUSHAB/W/L, MOVPSL, BISPSW, BICPSW
  0x78,
  0x9c,
  0xdd,
  0x9f,
  0x3f,
  0xdf,
  0xdc,
  0xb8,
  0xb9,
  ...INTEGER_TRANSFERS,
]);

/** Instructions that may set PSL<T> or <IV>...: a block ends after them. */
const ENDS_BLOCK = new Set([0xb8, 0xb9]);

const MASK_OF = ["", "0xff", "0xffff", "", "0xffffffff"];
const SIGN_OF = ["", "0x80", "0x8000", "", "0x80000000"];

/** Sign extension of an expression from size bytes (cpu.ts sx). */
function sxe(x: string, size: number): string {
  return size === 4
    ? `(${x} | 0)`
    : size === 2
    ? `((${x} << 16) >> 16)`
    : `((${x} << 24) >> 24)`;
}

/** Statement: `let <to> = N and Z of res at size` (cpu.ts nz). */
function nzs(to: string, res: string, size: number): string {
  return `{ const s_ = ${sxe(res, size)};\n` +
    `${to} = s_ < 0 ? ${PSL_N} : s_ === 0 ? ${PSL_Z} : 0; }\n`;
}

/** The overflow bit and, with PSL<IV>, the trap request. */
const OVERFLOW = `cc |= ${PSL_V};\n` +
  `if ((c.psl & ${PSL_IV}) !== 0) { h.trap(); trapped = 1; }\n`;

/** cpu.ts #add(a, b, size) into d. */
function addN(a: string, b: string, size: number, d: Operand): string {
  const m = MASK_OF[size]!;
  return `{ const ua = (${a}) >>> 0, ub = (${b}) >>> 0;\n` +
    `const sum = ua + ub;\nconst res = sum & ${m};\n` + store(d, "res") +
    `let cc = 0;\n` + nzs("cc", "res", size) +
    `if (sum > ${m}) cc |= ${PSL_C};\n` +
    `if ((~(ua ^ ub) & (ua ^ res) & ${SIGN_OF[size]}) !== 0) {\n` +
    OVERFLOW + `}\nc.psl = (c.psl & ~0xf) | cc; }\n`;
}

/** cpu.ts #sub(min, sub, size) into d. */
function subN(min: string, sub: string, size: number, d: Operand): string {
  const m = MASK_OF[size]!;
  return `{ const um = ((${min}) & ${m}) >>> 0, us = ((${sub}) & ${m}) >>> 0;\n` +
    `const res = (um - us) & ${m};\n` + store(d, "res") +
    `let cc = 0;\n` + nzs("cc", "res", size) +
    `if (um < us) cc |= ${PSL_C};\n` +
    `if (((um ^ us) & (um ^ res) & ${SIGN_OF[size]}) !== 0) {\n` +
    OVERFLOW + `}\nc.psl = (c.psl & ~0xf) | cc; }\n`;
}

/** cpu.ts #cmp(a, b, size). */
function cmpN(a: string, b: string, size: number): string {
  const m = MASK_OF[size]!;
  return `{ const a = ${a}, b = ${b};\n` +
    `const sa = ${sxe("a", size)}, sb = ${sxe("b", size)};\n` +
    `let cc = sa < sb ? ${PSL_N} : sa === sb ? ${PSL_Z} : 0;\n` +
    `if (((a & ${m}) >>> 0) < ((b & ${m}) >>> 0)) cc |= ${PSL_C};\n` +
    `c.psl = (c.psl & ~0xf) | cc; }\n`;
}

/** cpu.ts #logic(res, size) into d: N, Z; V cleared; C kept. */
function logicN(res: string, size: number, d: Operand): string {
  return `{ const v = (${res}) & ${MASK_OF[size]};\n` + store(d, "v") +
    `let cc = 0;\n` + nzs("cc", "v", size) +
    `c.psl = (c.psl & ~0xe) | cc; }\n`;
}

/** cpu.ts #mul(a, b, size) into d. */
function mulN(a: string, b: string, size: number, d: Operand): string {
  const prod = size === 4
    ? `const res = Math.imul(sa, sb);\nconst ov = sa * sb !== res;\n`
    : `const p = sa * sb;\nconst res = p & ${MASK_OF[size]};\n` +
      `const ov = ${sxe("res", size)} !== p;\n`;
  return `{ const sa = ${sxe(`(${a})`, size)}, sb = ${sxe(`(${b})`, size)};\n` +
    prod + store(d, "res") + `let cc = 0;\n` + nzs("cc", "res", size) +
    `c.psl = (c.psl & ~0xf) | cc | (ov ? ${PSL_V} : 0);\n` +
    `if (ov && (c.psl & ${PSL_IV}) !== 0) { h.trap(); trapped = 1; } }\n`;
}

/** cpu.ts #div(divr, divd, size) into d (quotient = divd / divr). */
function divN(divr: string, divd: string, size: number, d: Operand): string {
  const m = MASK_OF[size]!;
  return `{ const dr = ${divr}, dd = ${divd};\n` +
    `const sr = ${sxe("dr", size)}, sd = ${sxe("dd", size)};\n` +
    `if (sr === 0) {\nconst res = dd & ${m};\n` + store(d, "res") +
    `let cc = 0;\n` + nzs("cc", "res", size) +
    `c.psl = (c.psl & ~0xf) | cc | ${PSL_V};\nh.divz();\ntrapped = 1;\n` +
    `} else {\nlet res, ov = false;\n` +
    `if (sr === -1 && sd === -${
      SIGN_OF[size]
    }) { res = dd & ${m}; ov = true; }\n` +
    `else res = Math.trunc(sd / sr) & ${m};\n` + store(d, "res") +
    `let cc = 0;\n` + nzs("cc", "res", size) +
    `c.psl = (c.psl & ~0xf) | cc | (ov ? ${PSL_V} : 0);\n` +
    `if (ov && (c.psl & ${PSL_IV}) !== 0) { h.trap(); trapped = 1; }\n} }\n`;
}

/** A move whose condition codes are N, Z of v at size, V cleared, C kept. */
function moveN(v: string, size: number, d: Operand): string {
  return `{ const v = ${v};\n` + store(d, "v") + `let cc = 0;\n` +
    nzs("cc", "v", size) + `c.psl = (c.psl & ~0xe) | cc; }\n`;
}

/** Pushes the longword v (PUSHL, PUSHAx, BSBx, JSB's return PC). */
function push(v: string): string {
  return `{ const sp = r[14] - 4;\nh.wr(sp | 0, 4, ${v});\nr[14] = sp; }\n`;
}

/** The branch to next + displacement disp, taken. */
function branch(next: string, disp: string): string {
  return `r[15] = (${next} + ${disp}) | 0;\ntaken = 1;\n`;
}

/** Semantics of op in the wider integer set; "" if not compiled. */
function integerSemantics(op: number, o: Operand[], next: string): string {
  const v = (k: number) => o[k]!.val;
  const sz = (op & 0x20) !== 0 ? 2 : (op & 0x40) !== 0 ? 4 : 1; // x0-xF rows
  switch (op) {
    case 0xb0: // MOVW
      return moveN(v(0), 2, o[1]!);
    case 0x9b: // MOVZBW
      return `{ const v = (${v(0)}) & 0xff;\n` + store(o[1]!, "v") +
        `c.psl = (c.psl & ~0xe) | (v === 0 ? ${PSL_Z} : 0); }\n`;
    case 0x3c: // MOVZWL
      return `{ const v = (${v(0)}) & 0xffff;\n` + store(o[1]!, "v") +
        `c.psl = (c.psl & ~0xe) | (v === 0 ? ${PSL_Z} : 0); }\n`;
    case 0x98:
    case 0x32: { // CVTBL, CVTWL: N, Z; V and C cleared
      const from = op === 0x98 ? 1 : 2;
      return `{ const v = ${sxe(`(${v(0)})`, from)};\n` + store(o[1]!, "v") +
        `c.psl = (c.psl & ~0xf) | ${NZ4("v")}; }\n`;
    }
    case 0xf6:
    case 0xf7: { // CVTLB, CVTLW
      const size = op === 0xf6 ? 1 : 2;
      return `{ const v = ${v(0)};\nconst t_ = v & ${MASK_OF[size]};\n` +
        store(o[1]!, "t_") + `const ov = ${sxe("t_", size)} !== v;\n` +
        `let cc = 0;\n` + nzs("cc", "t_", size) +
        `c.psl = (c.psl & ~0xf) | cc | (ov ? ${PSL_V} : 0);\n` +
        `if (ov && (c.psl & ${PSL_IV}) !== 0) { h.trap(); trapped = 1; } }\n`;
    }
    case 0x3e: // MOVAW
      return moveN(v(0), 4, o[1]!);
    case 0x94:
    case 0xb4: // CLRB, CLRW
      return store(o[0]!, "0") + `c.psl = (c.psl & ~0xe) | ${PSL_Z};\n`;
    case 0x92:
    case 0xb2:
    case 0xd2: { // MCOMx
      const size = op === 0x92 ? 1 : op === 0xb2 ? 2 : 4;
      return moveN(`~(${v(0)}) & ${MASK_OF[size]}`, size, o[1]!);
    }
    case 0x8e:
    case 0xae:
    case 0xce: // MNEGx
      return subN("0", v(0), op === 0x8e ? 1 : op === 0xae ? 2 : 4, o[1]!);
    case 0x96:
    case 0xb6: // INCB, INCW
      return addN("1", v(0), op === 0x96 ? 1 : 2, o[0]!);
    case 0x97:
    case 0xb7: // DECB, DECW
      return subN(v(0), "1", op === 0x97 ? 1 : 2, o[0]!);
    case 0x95:
    case 0xb5: // TSTB, TSTW: N, Z; V and C cleared
      return `{ let cc = 0;\n` + nzs("cc", `(${v(0)})`, op === 0x95 ? 1 : 2) +
        `c.psl = (c.psl & ~0xf) | cc; }\n`;
    case 0x91:
    case 0xb1: // CMPB, CMPW
      return cmpN(v(0), v(1), op === 0x91 ? 1 : 2);
    case 0x93:
    case 0xb3:
    case 0xd3: { // BITx: N, Z of the AND; V cleared, C kept
      const size = op === 0x93 ? 1 : op === 0xb3 ? 2 : 4;
      return `{ let cc = 0;\n` +
        nzs("cc", `((${v(0)}) & (${v(1)}))`, size) +
        `c.psl = (c.psl & ~0xe) | cc; }\n`;
    }
    case 0x80:
    case 0xa0: // ADDB2, ADDW2
      return addN(v(0), v(1), sz, o[1]!);
    case 0x81:
    case 0xa1: // ADDB3, ADDW3
      return addN(v(0), v(1), sz, o[2]!);
    case 0x82:
    case 0xa2: // SUBB2, SUBW2
      return subN(v(1), v(0), sz, o[1]!);
    case 0x83:
    case 0xa3: // SUBB3, SUBW3
      return subN(v(1), v(0), sz, o[2]!);
    case 0x84:
    case 0xa4:
    case 0xc4: // MULx2
      return mulN(v(0), v(1), sz, o[1]!);
    case 0x85:
    case 0xa5:
    case 0xc5: // MULx3
      return mulN(v(0), v(1), sz, o[2]!);
    case 0x86:
    case 0xa6:
    case 0xc6: // DIVx2
      return divN(v(0), v(1), sz, o[1]!);
    case 0x87:
    case 0xa7:
    case 0xc7: // DIVx3
      return divN(v(0), v(1), sz, o[2]!);
    case 0x88:
    case 0xa8:
    case 0xc8: // BISx2
      return logicN(`(${v(0)}) | (${v(1)})`, sz, o[1]!);
    case 0x89:
    case 0xa9:
    case 0xc9: // BISx3
      return logicN(`(${v(0)}) | (${v(1)})`, sz, o[2]!);
    case 0x8a:
    case 0xaa:
    case 0xca: // BICx2
      return logicN(`(${v(1)}) & ~(${v(0)})`, sz, o[1]!);
    case 0x8b:
    case 0xab:
    case 0xcb: // BICx3
      return logicN(`(${v(1)}) & ~(${v(0)})`, sz, o[2]!);
    case 0x8c:
    case 0xac:
    case 0xcc: // XORx2
      return logicN(`(${v(0)}) ^ (${v(1)})`, sz, o[1]!);
    case 0x8d:
    case 0xad:
    case 0xcd: // XORx3
      return logicN(`(${v(0)}) ^ (${v(1)})`, sz, o[2]!);
    case 0x78: // ASHL
      return `{ const cnt = ((${v(0)}) << 24) >> 24, src = ${v(1)};\n` +
        `let res, ov = false;\nif (cnt >= 0) {\n` +
        `if (cnt > 31) { res = 0; ov = src !== 0; }\n` +
        `else { res = src << cnt; ov = (res >> cnt) !== src; }\n` +
        `} else { const k = -cnt; ` +
        `res = k > 31 ? (src < 0 ? -1 : 0) : src >> k; }\n` +
        store(o[2]!, "res") +
        `c.psl = (c.psl & ~0xf) | ${NZ4("res")} | (ov ? ${PSL_V} : 0);\n` +
        `if (ov && (c.psl & ${PSL_IV}) !== 0) { h.trap(); trapped = 1; } }\n`;
    case 0x9c: // ROTL: N, Z; V cleared, C kept
      return `{ const k = (${v(0)}) & 31, src = ${v(1)};\n` +
        `const res = k === 0 ? src : (src << k) | (src >>> (32 - k));\n` +
        store(o[2]!, "res") + `const s_ = res | 0;\n` +
        `c.psl = (c.psl & ~0xe) | ${NZ4("s_")}; }\n`;
    case 0xdd:
    case 0x9f:
    case 0x3f:
    case 0xdf: // PUSHL, PUSHAB/W/L: N, Z; V cleared, C kept
      return `{ const v = ${v(0)};\n` + push("v") + `const s_ = v | 0;\n` +
        `c.psl = (c.psl & ~0xe) | ${NZ4("s_")}; }\n`;
    case 0xdc: // MOVPSL
      return store(o[0]!, "h.movpsl()");
    case 0xb8:
    case 0xb9: { // BISPSW, BICPSW
      const set = op === 0xb8
        ? `c.psl |= m_ & 0xff;\n`
        : `c.psl &= ~(m_ & 0xff);\n`;
      return `{ const m_ = ${v(0)};\nif ((m_ & 0xff00) !== 0) h.rsvd();\n` +
        set + `}\n`;
    }
    case 0x05: // RSB
      return `{ const sp = r[14];\nconst npc = h.rd(sp | 0, 4);\n` +
        `r[14] = sp + 4;\nr[15] = npc;\ntaken = 1; }\n`;
    case 0x10:
    case 0x30: // BSBB, BSBW
      return push("r[15]") + branch(next, v(0));
    case 0x16: // JSB
      return `{ const to = ${v(0)};\n` + push("r[15]") +
        `r[15] = to;\ntaken = 1; }\n`;
    case 0x17: // JMP
      return `r[15] = ${v(0)};\ntaken = 1;\n`;
    case 0xe8:
    case 0xe9: // BLBS, BLBC
      return `if (((${v(0)}) & 1) ${op === 0xe8 ? "!==" : "==="} 0) {\n` +
        branch(next, v(1)) + `}\n`;
    case 0xe0:
    case 0xe1: { // BBS, BBC
      const want = op === 0xe0 ? 1 : 0;
      const base = o[1]!;
      const bit = base.reg >= 0
        ? `if ((pos >>> 0) > 31) h.rsvd();\n` +
          `const bit = (r[${base.reg}] >>> pos) & 1;\n`
        : `const byte = h.rd((${base.val} + (pos >> 3)) | 0, 1);\n` +
          `const bit = (byte >> (pos & 7)) & 1;\n`;
      return `{ const pos = ${v(0)};\n` + bit +
        `if (bit === ${want}) {\n` + branch(next, v(2)) + `} }\n`;
    }
    case 0xf1: // ACBL
      return `{ const limit = ${v(0)}, add = ${v(1)}, idx = ${v(2)};\n` +
        `const res = (idx + add) | 0;\n` + store(o[2]!, "res") +
        `const ov = (~(idx ^ add) & (idx ^ res)) < 0;\n` +
        `c.psl = (c.psl & ~0xe) | ${NZ4("res")} | (ov ? ${PSL_V} : 0);\n` +
        `if (ov && (c.psl & ${PSL_IV}) !== 0) { h.trap(); trapped = 1; }\n` +
        `if (add >= 0 ? res <= limit : res >= limit) {\n` +
        branch(next, v(3)) + `} }\n`;
    default:
      return "";
  }
}

/**
 * Compiles the block that starts at byte offset `off` of a decoded page.
 * `entryAt(off)` returns the decode-cache index of the instruction at that
 * offset of the page (decoding it if needed), or -1 if it is not cached.
 * Returns the block's function factory source and its instruction count,
 * or null when the first instruction cannot be compiled.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileBlock } from "./block_compiler.ts";
 * import { DC_STRIDE, decodeInstruction } from "./decode_cache.ts";
 * import { SPEC_COUNT } from "../arch/opcodes.ts";
 * const u8 = new Uint8Array(512);
 * u8.set([0xc0, 0x01, 0x51, 0xf5, 0x50, 0xfa]); // ADDL2 #1,R1; SOBGTR R0,.-3
 * const dc = new Int32Array(512 * DC_STRIDE);
 * const at = (off: number) =>
 *   decodeInstruction(u8, off, SPEC_COUNT, dc, off * DC_STRIDE) > 0
 *     ? off * DC_STRIDE
 *     : -1;
 * assert.equal(compileBlock(at, dc, 0)?.count, 2);
 * ```
 */
export function compileBlock(
  entryAt: (off: number) => number,
  dc: Int32Array,
  off: number,
  bytes: (off: number) => number = () => 0,
): { source: string; count: number } | null {
  let src = "";
  let at = 0;
  let count = 0;
  let loops = false;
  while (count < BLOCK_MAX && off + at < 512) {
    const e = entryAt(off + at);
    if (e < 0) break;
    const len = dc[e]!;
    const op = dc[e + 1]!;
    if (len <= 0 || (!COMPILED.has(op) && !INTEGER.has(op))) break;
    // BRB . and BRW . are the idle loop (the interpreter's #idle).
    const n = dc[e + 2]!;
    if ((op === 0x11 || op === 0x31) && dc[e + 4]! === -len) break;
    const ops: Operand[] = [];
    let ok = true;
    for (let i = 0; i < n; i++) {
      const here = off + at;
      const o = operand(dc, e, i, at, (k) => bytes(here + k));
      if (o === null) {
        ok = false;
        break;
      }
      ops.push(o);
    }
    if (!ok) break;
    const next = `pc + ${at + len}`;
    const body = semantics(op, ops, next) || integerSemantics(op, ops, next);
    if (body === "") break;
    if (count > 0) {
      // The boundary before this instruction: stop for the next event,
      // a pending trap, or code dropped by a store.
      src += `if (t[0] >= h.deadline() || trapped !== 0 || st[1] !== drops) ` +
        `{ r[15] = pc + ${at}; return; }\n`;
    }
    count++;
    src += `st[0] = n + ${count};\nh.begin((pc + ${at}) | 0, ${op});\n` +
      `t[0] += oc[${op}];\n`;
    src += "{\n";
    for (const o of ops) src += o.code;
    src += `r[15] = ${next};\n` + body + "}\n";
    at += len;
    if (ENDS_BLOCK.has(op)) break;
    if (transfers(op) || INTEGER_TRANSFERS.has(op)) {
      // A branch back to the block's own start (a loop): the next pass
      // runs here, after the same boundary checks as between instructions
      // and the run loop's (nothing needs the boundary, budget left).
      const disp = dc[e + 4 + 2 * (n - 1)]!;
      const kind = dc[e + 3 + 2 * (n - 1)]! & 15;
      if (n > 0 && kind === D_BR && at + disp === 0) {
        loops = true;
        const pass = 2 * count; // this pass and the next one
        src += `if (taken !== 0) {\n` +
          `if (t[0] >= h.deadline() || trapped !== 0 || ` +
          `st[1] !== drops || left - n < ${pass} || !h.quiet()) return;\n` +
          `n += ${count};\ntaken = 0;\ncontinue;\n}\n`;
      } else {
        src += `if (taken !== 0) return;\n`;
      }
      break;
    }
  }
  if (count === 0) return null;
  const body = loops ? `for (;;) {\n${src}return;\n}\n` : src;
  return {
    source: `"use strict";\nconst r = h.r, t = h.t, st = h.st, c = h.cpu, ` +
      `oc = h.opCost;\nreturn function block(pc, left) {\n` +
      `const drops = st[1];\nlet trapped = 0, taken = 0, n = 0;\n` + body +
      `}\n`,
    count,
  };
}

/**
 * The function of a compiled block's source, bound to a processor.
 * Factories are kept per processor and source text, so that the same code
 * compiles once per processor. Not shared between processors: V8 optimizes
 * a block function for the one processor whose arrays it captures, and a
 * second processor's closure of the same factory throws that away (every
 * machine after the first in an isolate ran the loops 2 to 2.7 times
 * slower); each processor's sources carry its own number, so that V8's
 * cache of compiled sources does not share them either.
 */
export function instantiateBlock(source: string, host: BlockHost): BlockFn {
  let mine = FACTORIES.get(host);
  if (mine === undefined) {
    mine = { id: nextHost++, factories: new Map() };
    FACTORIES.set(host, mine);
  }
  let f = mine.factories.get(source);
  if (f === undefined) {
    if (mine.factories.size >= 4096) mine.factories.clear();
    f = new Function("h", `${source}// processor ${mine.id}\n`) as (
      h: BlockHost,
    ) => BlockFn;
    mine.factories.set(source, f);
  }
  return f(host);
}
