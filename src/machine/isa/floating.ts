/**
 * The floating-point instructions the KA655 (CVAX and its FPU) executes,
 * in F, D and G formats: MOV, MNEG, TST, CMP, ADD, SUB, MUL, DIV (2 and 3
 * operand), ACB, CVT between the integer types and the floating formats
 * (truncating and the rounded CVTR), and CVTFD, CVTDF, CVTFG, CVTGF. The
 * arithmetic is in `float.ts`; this file is the glue to the processor
 * through the family interface of `context.ts`.
 *
 * Condition codes (SRM, as SimH's vax_cpu.c sets them): N and Z from the
 * result and V cleared everywhere; C cleared except by MOVx and ACBx, which
 * keep it. Floating overflow, underflow (with PSL<FU>) and divide by zero
 * are faults on the KA655 (SCB 0x34, codes 8, 10, 9, PC = the instruction,
 * nothing stored); a reserved operand is the reserved-operand fault
 * (SCB 0x18). Conversions to integers that do not fit set V and, with
 * PSL<IV>, request the integer-overflow trap after storing the low bits.
 *
 * EMODx and POLYx are here too: SimH's KA655 executes them (they are in
 * its base instruction groups, not among the instructions it hands to the
 * emulation exception), with the truncations the architecture specifies.
 *
 * @module
 */

import { PSL_C, PSL_FU, PSL_N, PSL_Z } from "../../arch/psl.ts";
import type { Family, IsaContext } from "./context.ts";
import {
  addF,
  addSplitDG,
  divF,
  type EmodResult,
  fFromInt,
  floatCompare,
  floatConvert,
  floatDiv,
  floatEmod,
  FloatFault,
  type FloatFormat,
  floatFromInt,
  floatMove,
  floatNeg,
  floatPoly,
  floatTest,
  floatToInt,
  moveF,
  mulF,
  mulSplitDG,
  type Quad,
  subF,
  subSplitDG,
} from "./float.ts";

/** Takes the VAX exception a floating operation threw. */
function raise(x: IsaContext, e: unknown): never {
  if (e instanceof FloatFault) {
    if (e.code === 0) x.reservedOperand();
    x.arithmeticFault(e.code);
  }
  throw e;
}

/** N and Z of a floating result from its first longword. */
function nzFloat(lw0: number): number {
  return (lw0 & 0x8000) !== 0 ? PSL_N : lw0 === 0 ? PSL_Z : 0;
}

/** N and Z of an integer of `size` bytes. */
function nzInt(v: number, size: number): number {
  const s = size === 4 ? v | 0 : size === 2 ? (v << 16) >> 16 : (v << 24) >> 24;
  return s < 0 ? PSL_N : s === 0 ? PSL_Z : 0;
}

// The PSL is read once per instruction (for FU and C) and the condition
// codes are set with setCc: writing the PSL through the interface's
// accessor costs far more (measured: about twice the time of the whole
// ADDF2/MULF2 loop instruction).

/** Sets N, Z from a floating result; V and C cleared. */
function ccFloat(x: IsaContext, lw0: number): void {
  x.setCc(nzFloat(lw0));
}

/** Sets N, Z from a floating result; V cleared, C kept. */
function ccFloatKeepC(x: IsaContext, psl: number, lw0: number): void {
  x.setCc(nzFloat(lw0) | (psl & PSL_C));
}

function fu(psl: number): boolean {
  return (psl & PSL_FU) !== 0;
}

/** Operand k of a D or G instruction as a Quad. */
function quad(x: IsaContext, k: number): Quad {
  return [x.opv[k]! >>> 0, x.oph[k]! >>> 0];
}

/** Operand k of an F instruction as a Quad (for the generic functions). */
function fquad(x: IsaContext, k: number): Quad {
  return [x.opv[k]! >>> 0, 0];
}

function operand(x: IsaContext, fmt: FloatFormat, k: number): Quad {
  return fmt === "f" ? fquad(x, k) : quad(x, k);
}

/** Stores a floating result into operand k and sets N, Z (V, C cleared). */
function result(
  x: IsaContext,
  fmt: FloatFormat,
  k: number,
  v: Quad,
): void {
  if (fmt === "f") x.store(k, 4, v[0]);
  else x.storeQ(k, v[0], v[1]);
  ccFloat(x, v[0]);
}

// --- F arithmetic on numbers ---------------------------------------------

type FOp = (a: number, b: number, fu: boolean) => number;

/**
 * ADDF2/ADDF3-style: operand `dst` = op(operand 1, operand 0). The 2-operand
 * form passes dst 1 (operand 1 is modified), the 3-operand form dst 2.
 */
function fArith(op: FOp, dst: 1 | 2): (x: IsaContext) => void {
  return (x) => {
    const psl = x.psl;
    let r: number;
    try {
      r = op(x.opv[1]!, x.opv[0]!, fu(psl));
    } catch (e) {
      raise(x, e);
    }
    x.store(dst, 4, r);
    ccFloat(x, r);
  };
}

const f2 = (op: FOp) => fArith(op, 1);
const f3 = (op: FOp) => fArith(op, 2);

const addFOp: FOp = (a, b, u) => addF(b, a, u);
const mulFOp: FOp = (a, b, u) => mulF(b, a, u);

/**
 * The result of an F instruction for compiled code (block_compiler.ts):
 * ADDF, SUBF, MULF, DIVF (2 and 3 operand) of operand 0 `a` and operand 1
 * `b`, MOVF and MNEGF of `a`, CVTBF, CVTWF and CVTLF of the integer `a`.
 * `psl` is the processor's PSL (for FU). Takes the fault the family's
 * executor would take (nothing stored yet).
 */
export function fResult(
  x: IsaContext,
  op: number,
  a: number,
  b: number,
  psl: number,
): number {
  try {
    switch (op) {
      case 0x40:
      case 0x41:
        return addF(a, b, fu(psl));
      case 0x42:
      case 0x43:
        return subF(b, a, fu(psl));
      case 0x44:
      case 0x45:
        return mulF(a, b, fu(psl));
      case 0x46:
      case 0x47:
        return divF(b, a, fu(psl));
      case 0x50:
        return moveF(a);
      case 0x52:
        return floatNeg("f", [a >>> 0, 0])[0];
      case 0x4c:
        return fFromInt((a << 24) >> 24);
      case 0x4d:
        return fFromInt((a << 16) >> 16);
      case 0x4e:
        return fFromInt(a);
    }
  } catch (e) {
    raise(x, e);
  }
  throw new RangeError(`fResult: opcode ${op} is not an F result`);
}

/**
 * The condition codes (N, Z) of TSTF `a` or CMPF `a`, `b` for compiled
 * code, with the reserved-operand fault of the family's executor.
 */
export function fOrder(
  x: IsaContext,
  op: number,
  a: number,
  b: number,
): number {
  let t: number;
  try {
    t = op === 0x53
      ? floatTest("f", [a >>> 0, 0])
      : floatCompare("f", [a >>> 0, 0], [b >>> 0, 0]);
  } catch (e) {
    raise(x, e);
  }
  return t < 0 ? PSL_N : t === 0 ? PSL_Z : 0;
}

// --- D and G arithmetic --------------------------------------------------

type QOp = (fmt: FloatFormat, a: Quad, b: Quad, fu: boolean) => Quad;

/** ADDD2/ADDD3-style (and G): operand `dst` = op(operand 1, operand 0). */
function qArith(
  fmt: FloatFormat,
  op: QOp,
  dst: 1 | 2,
): (x: IsaContext) => void {
  return (x) => {
    const psl = x.psl;
    let r: Quad;
    try {
      r = op(fmt, quad(x, 1), quad(x, 0), fu(psl));
    } catch (e) {
      raise(x, e);
    }
    result(x, fmt, dst, r);
  };
}

const q2 = (fmt: FloatFormat, op: QOp) => qArith(fmt, op, 1);
const q3 = (fmt: FloatFormat, op: QOp) => qArith(fmt, op, 2);

// Operand order: (second operand, first operand) as the instruction names
// them: dif = min − sub, quo = divd / divr, sum = add2 + add1.
// D and G add, subtract and multiply run on split fractions (about twice
// as fast as BigInt, identical results: tests/machine/float_test.ts).
const addQ: QOp = (f, a, b, u) => addSplitDG(f as "d" | "g", b, a, u);
const subQ: QOp = (f, a, b, u) => subSplitDG(f as "d" | "g", a, b, u);
const mulQ: QOp = (f, a, b, u) => mulSplitDG(f as "d" | "g", b, a, u);
const divQ: QOp = (f, a, b, u) => floatDiv(f, a, b, u);

// --- moves, tests, compares ----------------------------------------------

/** MOVx src, dst: reserved-operand check, dirty zero cleaned; C kept. */
function mov(fmt: FloatFormat): (x: IsaContext) => void {
  if (fmt === "f") {
    return (x) => {
      const psl = x.psl;
      let r: number;
      try {
        r = moveF(x.opv[0]!);
      } catch (e) {
        raise(x, e);
      }
      x.store(1, 4, r);
      ccFloatKeepC(x, psl, r);
    };
  }
  return (x) => {
    const psl = x.psl;
    let r: Quad;
    try {
      r = floatMove(fmt, quad(x, 0));
    } catch (e) {
      raise(x, e);
    }
    x.storeQ(1, r[0], r[1]);
    ccFloatKeepC(x, psl, r[0]);
  };
}

/** MNEGx src, dst. */
function mneg(fmt: FloatFormat): (x: IsaContext) => void {
  return (x) => {
    let r: Quad;
    try {
      r = floatNeg(fmt, operand(x, fmt, 0));
    } catch (e) {
      raise(x, e);
    }
    result(x, fmt, 1, r);
  };
}

/** TSTx src: N, Z; V and C cleared. */
function tst(fmt: FloatFormat): (x: IsaContext) => void {
  return (x) => {
    let t: number;
    try {
      t = floatTest(fmt, operand(x, fmt, 0));
    } catch (e) {
      raise(x, e);
    }
    x.setCc(t < 0 ? PSL_N : t === 0 ? PSL_Z : 0);
  };
}

/** CMPx src1, src2: N when src1 < src2, Z when equal; V, C cleared. */
function cmp(fmt: FloatFormat): (x: IsaContext) => void {
  return (x) => {
    let t: number;
    try {
      t = floatCompare(fmt, operand(x, fmt, 0), operand(x, fmt, 1));
    } catch (e) {
      raise(x, e);
    }
    x.setCc(t < 0 ? PSL_N : t === 0 ? PSL_Z : 0);
  };
}

// --- conversions ---------------------------------------------------------

/** CVTxB, CVTxW, CVTxL, CVTRxL: floating to integer. */
function cvtToInt(
  fmt: FloatFormat,
  size: 1 | 2 | 4,
  round: boolean,
): (x: IsaContext) => void {
  return (x) => {
    let r: { value: number; overflow: boolean };
    try {
      r = floatToInt(fmt, operand(x, fmt, 0), size, round);
    } catch (e) {
      raise(x, e);
    }
    x.store(1, size, r.value);
    x.setCc(nzInt(r.value, size));
    if (r.overflow) x.overflow();
  };
}

/** CVTBx, CVTWx, CVTLx: integer to floating (rounded). */
function cvtFromInt(
  fmt: FloatFormat,
  size: 1 | 2 | 4,
): (x: IsaContext) => void {
  return (x) => {
    const v = x.opv[0]!;
    const n = size === 4
      ? v | 0
      : size === 2
      ? (v << 16) >> 16
      : (v << 24) >> 24;
    if (fmt === "f") {
      const r = fFromInt(n);
      x.store(1, 4, r);
      ccFloat(x, r);
    } else {
      result(x, fmt, 1, floatFromInt(fmt, n));
    }
  };
}

/** CVTFD, CVTDF, CVTFG, CVTGF. */
function cvtFloat(
  from: FloatFormat,
  to: FloatFormat,
): (x: IsaContext) => void {
  return (x) => {
    const psl = x.psl;
    let r: Quad;
    try {
      r = floatConvert(from, to, operand(x, from, 0), fu(psl));
    } catch (e) {
      raise(x, e);
    }
    result(x, to, 1, r);
  };
}

// --- ACBx ----------------------------------------------------------------

/**
 * ACBx limit, add, index, displ: index = index + add; branch when
 * add >= 0 and index <= limit, or add < 0 and index >= limit. N, Z from
 * the new index, V cleared, C kept.
 */
function acb(fmt: FloatFormat): (x: IsaContext) => void {
  return (x) => {
    const psl = x.psl;
    const limit = operand(x, fmt, 0);
    const add = operand(x, fmt, 1);
    const index = operand(x, fmt, 2);
    let sum: Quad;
    let order: number;
    try {
      floatTest(fmt, limit); // reserved-operand check before any store
      sum = fmt === "f"
        ? [addF(index[0], add[0], fu(psl)), 0]
        : addSplitDG(fmt as "d" | "g", index, add, fu(psl));
      order = floatCompare(fmt, sum, limit);
    } catch (e) {
      raise(x, e);
    }
    if (fmt === "f") x.store(2, 4, sum[0]);
    else x.storeQ(2, sum[0], sum[1]);
    ccFloatKeepC(x, psl, sum[0]);
    const negative = (add[0] & 0x8000) !== 0;
    if (negative ? order >= 0 : order <= 0) {
      x.r[15] = (x.r[15]! + x.opv[3]!) | 0;
    }
  };
}

// --- EMODx, POLYx ----------------------------------------------------------

/**
 * EMODx mulr, mulrx, muld, int.wl, fract: int and fract of mulr
 * (extended by mulrx) × muld. N, Z from fract; V (and the integer-overflow
 * trap with PSL<IV>) when the integer part does not fit; C cleared.
 */
function emod(fmt: FloatFormat): (x: IsaContext) => void {
  return (x) => {
    const psl = x.psl;
    let r: EmodResult;
    try {
      r = floatEmod(
        fmt,
        operand(x, fmt, 0),
        x.opv[1]!,
        operand(x, fmt, 2),
        fu(psl),
      );
    } catch (e) {
      raise(x, e);
    }
    // As SimH: check the fraction's destination before storing anything.
    if (x.opr[4]! < 0) {
      x.probeWrite(x.opa[4]!);
      if (fmt !== "f") x.probeWrite((x.opa[4]! + 7) | 0);
    }
    x.store(3, 4, r.int);
    if (fmt === "f") x.store(4, 4, r.fraction[0]);
    else x.storeQ(4, r.fraction[0], r.fraction[1]);
    ccFloat(x, r.fraction[0]);
    if (r.overflow) x.overflow();
  };
}

/**
 * POLYx arg, degree.rw, tbladdr.ab: the polynomial at arg, result in R0
 * (R0:R1 for D and G); R1 (F) or R2, R4, R5 cleared, R3 = the address after
 * the table. N, Z from the result; V, C cleared.
 */
function poly(fmt: FloatFormat): (x: IsaContext) => void {
  return (x) => {
    const psl = x.psl;
    const size = fmt === "f" ? 4 : 8;
    const base = x.opv[2]!;
    const degree = x.opv[1]! & 0xffff;
    let res: Quad;
    try {
      res = floatPoly(fmt, operand(x, fmt, 0), degree, (i) => {
        const va = (base + i * size) | 0;
        return size === 4
          ? [x.read(va, 4) >>> 0, 0]
          : [x.read(va, 4) >>> 0, x.read((va + 4) | 0, 4) >>> 0];
      }, fu(psl));
    } catch (e) {
      raise(x, e);
    }
    const r = x.r;
    r[0] = res[0];
    r[1] = fmt === "f" ? 0 : res[1];
    r[2] = 0;
    r[3] = (base + (degree + 1) * size) | 0;
    if (fmt !== "f") {
      r[4] = 0;
      r[5] = 0;
    }
    ccFloat(x, res[0]);
  };
}

/** The floating-point family, by opcode. */
export const FLOATING: Family = {
  // F
  0x40: f2(addFOp),
  0x41: f3(addFOp),
  0x42: f2(subF),
  0x43: f3(subF),
  0x44: f2(mulFOp),
  0x45: f3(mulFOp),
  0x46: f2(divF),
  0x47: f3(divF),
  0x48: cvtToInt("f", 1, false),
  0x49: cvtToInt("f", 2, false),
  0x4a: cvtToInt("f", 4, false),
  0x4b: cvtToInt("f", 4, true),
  0x4c: cvtFromInt("f", 1),
  0x4d: cvtFromInt("f", 2),
  0x4e: cvtFromInt("f", 4),
  0x4f: acb("f"),
  0x50: mov("f"),
  0x51: cmp("f"),
  0x52: mneg("f"),
  0x53: tst("f"),
  0x54: emod("f"),
  0x55: poly("f"),
  0x56: cvtFloat("f", "d"),
  // D
  0x60: q2("d", addQ),
  0x61: q3("d", addQ),
  0x62: q2("d", subQ),
  0x63: q3("d", subQ),
  0x64: q2("d", mulQ),
  0x65: q3("d", mulQ),
  0x66: q2("d", divQ),
  0x67: q3("d", divQ),
  0x68: cvtToInt("d", 1, false),
  0x69: cvtToInt("d", 2, false),
  0x6a: cvtToInt("d", 4, false),
  0x6b: cvtToInt("d", 4, true),
  0x6c: cvtFromInt("d", 1),
  0x6d: cvtFromInt("d", 2),
  0x6e: cvtFromInt("d", 4),
  0x6f: acb("d"),
  0x70: mov("d"),
  0x71: cmp("d"),
  0x72: mneg("d"),
  0x73: tst("d"),
  0x74: emod("d"),
  0x75: poly("d"),
  0x76: cvtFloat("d", "f"),
  // G (two-byte opcodes)
  0xfd33: cvtFloat("g", "f"),
  0xfd40: q2("g", addQ),
  0xfd41: q3("g", addQ),
  0xfd42: q2("g", subQ),
  0xfd43: q3("g", subQ),
  0xfd44: q2("g", mulQ),
  0xfd45: q3("g", mulQ),
  0xfd46: q2("g", divQ),
  0xfd47: q3("g", divQ),
  0xfd48: cvtToInt("g", 1, false),
  0xfd49: cvtToInt("g", 2, false),
  0xfd4a: cvtToInt("g", 4, false),
  0xfd4b: cvtToInt("g", 4, true),
  0xfd4c: cvtFromInt("g", 1),
  0xfd4d: cvtFromInt("g", 2),
  0xfd4e: cvtFromInt("g", 4),
  0xfd4f: acb("g"),
  0xfd50: mov("g"),
  0xfd51: cmp("g"),
  0xfd52: mneg("g"),
  0xfd53: tst("g"),
  0xfd54: emod("g"),
  0xfd55: poly("g"),
  0xfd99: cvtFloat("f", "g"),
};
