/**
 * The rest of the integer instruction set (vax-architecture.md section 4;
 * semantics as SimH's vax_cpu.c and vax_cpu1.c): quadword moves, extended
 * multiply and divide, quadword shift, add and subtract with carry, ADAWI,
 * INDEX, CASEB/CASEW, ACBB/ACBW, PUSHR/POPR, CVTBW/CVTWB and XFC.
 *
 * The hot integer path (longword moves, adds, branches) stays in cpu.ts;
 * these run through the family interface of `context.ts`.
 *
 * @module
 */

import { PSL_C, PSL_IV, PSL_N, PSL_TP, PSL_V, PSL_Z } from "../../arch/psl.ts";
import { ARITH, SCB } from "../../arch/scb.ts";
import type { Family, IsaContext } from "./context.ts";

/** N and Z of a quadword. */
function nzq(lo: number, hi: number): number {
  return hi < 0 ? PSL_N : (lo | hi) === 0 ? PSL_Z : 0;
}

/** N and Z of a value of the given size. */
function nz(v: number, size: number): number {
  const s = size === 4 ? v | 0 : size === 2 ? (v << 16) >> 16 : (v << 24) >> 24;
  return s < 0 ? PSL_N : s === 0 ? PSL_Z : 0;
}

/** A 64-bit value as two int32 halves. */
function split(v: bigint): [number, number] {
  const u = BigInt.asUintN(64, v);
  return [Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0];
}

/** Two int32 halves as a signed 64-bit value. */
function joinQ(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

/** Sets V and requests the integer-overflow trap when PSL<IV> is set. */
function intOverflow(x: IsaContext): void {
  x.overflow();
}

// --- quadword moves -----------------------------------------------------

/** MOVQ src.rq, dst.wq: N and Z from the quadword, V cleared, C kept. */
function movq(x: IsaContext): void {
  const lo = x.opv[0]!;
  const hi = x.oph[0]!;
  x.storeQ(1, lo, hi);
  x.setCc((x.psl & PSL_C) | nzq(lo, hi));
}

/** CLRQ dst.wq. */
function clrq(x: IsaContext): void {
  x.storeQ(0, 0, 0);
  x.setCc((x.psl & PSL_C) | PSL_Z);
}

/** MOVAQ src.aq, dst.wl. */
function movaq(x: IsaContext): void {
  const v = x.opv[0]!;
  x.store(1, 4, v);
  x.setCc((x.psl & PSL_C) | nz(v, 4));
}

/** PUSHAQ src.aq. */
function pushaq(x: IsaContext): void {
  const v = x.opv[0]!;
  const sp = (x.r[14]! - 4) | 0;
  x.write(sp, 4, v);
  x.r[14] = sp;
  x.setCc((x.psl & PSL_C) | nz(v, 4));
}

// --- extended arithmetic -------------------------------------------------

/** EMUL mulr.rl, muld.rl, add.rl, prod.wq: prod = mulr * muld + add. */
function emul(x: IsaContext): void {
  const p = BigInt(x.opv[0]!) * BigInt(x.opv[1]!) + BigInt(x.opv[2]!);
  const [lo, hi] = split(p);
  x.storeQ(3, lo, hi);
  x.setCc(nzq(lo, hi));
}

/**
 * EDIV divr.rl, divd.rq, quo.wl, rem.wl. The remainder's location is
 * checked for write access first. Divide by zero: quo = divd<31:0>, rem =
 * 0, V, divide-by-zero trap. A quotient that does not fit in a longword:
 * the same results with V and the overflow trap if IV.
 */
function ediv(x: IsaContext): void {
  if (x.opr[3]! < 0) x.readModify(x.opa[3]!, 4);
  const divr = x.opv[0]!;
  const lo = x.opv[1]!;
  const hi = x.oph[1]!;
  let quo = lo;
  let rem = 0;
  let v = 0;
  if (divr === 0) {
    v = PSL_V;
    x.trap(ARITH.INTEGER_DIVIDE_BY_ZERO);
  } else {
    const dvd = joinQ(lo, hi);
    const d = BigInt(divr);
    const q = dvd / d; // truncates toward zero, as the VAX
    if (q >= -0x80000000n && q <= 0x7fffffffn) {
      quo = Number(q);
      rem = Number(dvd % d); // sign of the dividend
    } else {
      v = PSL_V;
      if ((x.psl & PSL_IV) !== 0) x.trap(ARITH.INTEGER_OVERFLOW);
    }
  }
  x.store(2, 4, quo);
  x.store(3, 4, rem);
  x.setCc(nz(quo, 4) | v);
}

/**
 * ASHQ cnt.rb, src.rq, dst.wq: arithmetic shift of a quadword; counts
 * beyond 63 give 0 (left, V if src was not 0) or the sign (right).
 */
function ashq(x: IsaContext): void {
  const cnt = (x.opv[0]! << 24) >> 24;
  const src = joinQ(x.opv[1]!, x.oph[1]!);
  let res: bigint;
  let ov = false;
  if (cnt < 0) {
    const k = -cnt;
    res = k > 63 ? (src < 0n ? -1n : 0n) : src >> BigInt(k);
  } else if (cnt > 63) {
    res = 0n;
    ov = src !== 0n;
  } else {
    res = BigInt.asIntN(64, src << BigInt(cnt));
    ov = (res >> BigInt(cnt)) !== src;
  }
  const [lo, hi] = split(res);
  x.storeQ(2, lo, hi);
  x.setCc(nzq(lo, hi));
  if (ov) intOverflow(x);
}

/** ADWC add.rl, sum.ml: sum = sum + add + C. */
function adwc(x: IsaContext): void {
  const a = x.opv[0]!;
  const b = x.opv[1]!;
  const c = x.psl & PSL_C;
  const sum = (a >>> 0) + (b >>> 0) + c;
  const res = sum | 0;
  x.store(1, 4, res);
  let cc = nz(res, 4);
  if (sum > 0xffffffff) cc |= PSL_C;
  const exact = a + b + c;
  x.setCc(cc);
  if (exact !== res) intOverflow(x);
}

/** SBWC sub.rl, dif.ml: dif = dif - sub - C. */
function sbwc(x: IsaContext): void {
  const s = x.opv[0]!;
  const m = x.opv[1]!;
  const c = x.psl & PSL_C;
  const res = (m - s - c) | 0;
  x.store(1, 4, res);
  let cc = nz(res, 4);
  if ((m >>> 0) < (s >>> 0) + c) cc |= PSL_C;
  x.setCc(cc);
  if (m - s - c !== res) intOverflow(x);
}

/**
 * ADAWI add.rw, sum.mw: the interlocked word add. A memory sum must be
 * word aligned (reserved operand otherwise, before it is read).
 */
function adawi(x: IsaContext): void {
  const add = x.opv[0]! & 0xffff;
  const rn = x.opr[1]!;
  let old: number;
  if (rn >= 0) {
    old = x.r[rn]! & 0xffff;
  } else {
    const va = x.opa[1]!;
    if ((va & 1) !== 0) x.reservedOperand();
    old = x.readModify(va, 2);
  }
  const sum = add + old;
  const res = sum & 0xffff;
  x.store(1, 2, res);
  let cc = nz(res, 2);
  if (sum > 0xffff) cc |= PSL_C;
  x.setCc(cc);
  if ((~(add ^ old) & (add ^ res) & 0x8000) !== 0) intOverflow(x);
}

/**
 * INDEX subscript.rl, low.rl, high.rl, size.rl, indexin.rl, indexout.wl:
 * indexout = (indexin + subscript) * size; a subscript outside low..high
 * requests the subscript-range trap.
 */
function index(x: IsaContext): void {
  const sub = x.opv[0]!;
  if (sub < x.opv[1]! || sub > x.opv[2]!) x.trap(ARITH.SUBSCRIPT_RANGE);
  const res = Math.imul((x.opv[4]! + sub) | 0, x.opv[3]!);
  x.store(5, 4, res);
  x.setCc(nz(res, 4));
}

// --- conversions ----------------------------------------------------------

/** CVTBW src.rb, dst.ww. */
function cvtbw(x: IsaContext): void {
  const v = (x.opv[0]! << 24) >> 24;
  x.store(1, 2, v & 0xffff);
  x.setCc(nz(v, 2));
}

/** CVTWB src.rw, dst.wb: V when the word does not fit in a byte. */
function cvtwb(x: IsaContext): void {
  const w = (x.opv[0]! << 16) >> 16;
  const b = w & 0xff;
  x.store(1, 1, b);
  x.setCc(nz(b, 1));
  if (w > 127 || w < -128) intOverflow(x);
}

// --- control ---------------------------------------------------------------

/**
 * CASEB/CASEW selector, base, limit: the CASEL rules on bytes and words
 * (section 4.10): tmp = selector - base, compared unsigned with limit.
 */
function caseBW(x: IsaContext, size: number): void {
  const mask = size === 1 ? 0xff : 0xffff;
  const tmp = (x.opv[0]! - x.opv[1]!) & mask;
  const limit = x.opv[2]! & mask;
  const st = nz(tmp, size) === PSL_N ? tmp - mask - 1 : tmp;
  const sl = nz(limit, size) === PSL_N ? limit - mask - 1 : limit;
  x.setCc(
    (st < sl ? PSL_N : st === sl ? PSL_Z : 0) | (tmp < limit ? PSL_C : 0),
  );
  const table = x.r[15]!;
  if (tmp > limit) {
    x.r[15] = table + 2 * (limit + 1);
  } else {
    const d = (x.read((table + 2 * tmp) | 0, 2) << 16) >> 16;
    x.r[15] = table + d;
  }
}

/**
 * ACBB/ACBW limit, add, index, displ.bw: index = index + add (V and the
 * overflow trap on signed overflow, C kept); branch while index <= limit
 * (add >= 0) or index >= limit (add < 0).
 */
function acbBW(x: IsaContext, size: number): void {
  const sh = size === 1 ? 24 : 16;
  const limit = (x.opv[0]! << sh) >> sh;
  const add = (x.opv[1]! << sh) >> sh;
  const idx = (x.opv[2]! << sh) >> sh;
  const exact = idx + add;
  const res = (exact << sh) >> sh;
  x.store(2, size, res & (size === 1 ? 0xff : 0xffff));
  x.setCc((x.psl & PSL_C) | nz(res, 4));
  if (exact !== res) intOverflow(x);
  if (add >= 0 ? res <= limit : res >= limit) x.r[15] = x.r[15]! + x.opv[3]!;
}

/** Number of bits set in a mask. */
function bitCount(m: number): number {
  let n = 0;
  for (; m !== 0; m &= m - 1) n++;
  return n;
}

/**
 * PUSHR mask.rw: pushes the registers of mask<14:0>, R14 first and R0 at
 * the lowest address, after checking the end of the stack for write access.
 */
function pushr(x: IsaContext): void {
  const mask = x.opv[0]! & 0x7fff;
  if (mask === 0) return;
  const r = x.r;
  let sp = r[14]!;
  x.readModify((sp - 4 * bitCount(mask)) | 0, 1);
  for (let k = 14; k >= 0; k--) {
    if ((mask >> k) & 1) {
      sp = (sp - 4) | 0;
      x.write(sp, 4, r[k]!);
    }
  }
  r[14] = sp;
}

/**
 * POPR mask.rw: pops R0 first; a popped R14 replaces the stack pointer
 * (no increment for it).
 */
function popr(x: IsaContext): void {
  const mask = x.opv[0]! & 0x7fff;
  if (mask === 0) return;
  const r = x.r;
  x.read((r[14]! + 4 * bitCount(mask) - 1) | 0, 1);
  for (let k = 0; k <= 13; k++) {
    if ((mask >> k) & 1) {
      r[k] = x.read(r[14]!, 4);
      r[14] = r[14]! + 4;
    }
  }
  if ((mask & 0x4000) !== 0) r[14] = x.read(r[14]!, 4);
}

/**
 * XFC: the customer-reserved instruction fault through SCB 0x14 (PC = XFC,
 * trace pending cleared first, like BPT).
 */
function xfc(x: IsaContext): void {
  x.psl &= ~PSL_TP;
  x.fault(SCB.CUSTOMER_RESERVED);
}

/** The family: executors by opcode. */
export const INTEGER: Family = {
  0x0a: index,
  0x33: cvtwb,
  0x3d: (x) => acbBW(x, 2),
  0x58: adawi,
  0x79: ashq,
  0x7a: emul,
  0x7b: ediv,
  0x7c: clrq,
  0x7d: movq,
  0x7e: movaq,
  0x7f: pushaq,
  0x8f: (x) => caseBW(x, 1),
  0x99: cvtbw,
  0x9d: (x) => acbBW(x, 1),
  0xaf: (x) => caseBW(x, 2),
  0xba: popr,
  0xbb: pushr,
  0xd8: adwc,
  0xd9: sbwc,
  0xfc: xfc,
};
