/**
 * Variable-length bit fields (vax-architecture.md section 4.10; semantics
 * as SimH's vax_cpu1.c op_extv/op_insv/op_bb_x): EXTV, EXTZV, CMPV, CMPZV,
 * FFS, FFC, INSV and the modifying branches on bit BBSS, BBCS, BBSC, BBCC,
 * BBSSI, BBCCI. (BBS, BBC, BLBS and BLBC are on cpu.ts's hot path.)
 *
 * A field is `size` bits (0..32) at bit `pos` of a base. In a register
 * base, pos is unsigned 0..31 (else reserved operand) and a field that
 * runs past bit 31 continues into the next register (reserved addressing
 * mode when that would be the PC, i.e. the base is R14 or PC). In memory,
 * pos is signed: the field starts at bit pos<2:0> of the byte at base +
 * (pos >> 3), and is read as one or two aligned longwords. A size above 32
 * is a reserved operand; a size of 0 is an empty field (no checks at all).
 *
 * @module
 */

import { PSL_C, PSL_N, PSL_Z } from "../../arch/psl.ts";
import type { Family, IsaContext } from "./context.ts";

/** Mask of the low n bits (n = 0..32). */
function lowMask(n: number): number {
  return n >= 32 ? -1 : (1 << n) - 1;
}

/**
 * Reads the field described by operands pos (k), size (k+1), base (k+2)
 * and returns it zero-extended (SimH op_extv).
 */
function extract(x: IsaContext, k: number): number {
  let pos = x.opv[k]!;
  const size = x.opv[k + 1]! & 0xff;
  if (size === 0) return 0;
  if (size > 32) x.reservedOperand();
  const rn = x.opr[k + 2]!;
  let wd: number;
  if (rn >= 0) {
    if ((pos >>> 0) > 31) x.reservedOperand();
    if (pos + size > 32 && rn >= 14) x.reservedAddressingMode();
    wd = x.r[rn]!;
    if (pos !== 0) wd = (wd >>> pos) | (x.r[(rn + 1) & 15]! << (32 - pos));
  } else {
    let ba = (x.opv[k + 2]! + (pos >> 3)) | 0;
    pos = (pos & 7) | ((ba & 3) << 3);
    ba &= ~3;
    wd = x.read(ba, 4);
    const wd1 = size + pos > 32 ? x.read((ba + 4) | 0, 4) : 0;
    if (pos !== 0) wd = (wd >>> pos) | (wd1 << (32 - pos));
  }
  return wd & lowMask(size);
}

/** Sign-extends a field of size bits. */
function signExtend(v: number, size: number): number {
  return size === 0 || size >= 32 ? v | 0 : (v << (32 - size)) >> (32 - size);
}

/** CMPL's condition codes. */
function cmpCc(a: number, b: number): number {
  return (a < b ? PSL_N : a === b ? PSL_Z : 0) |
    ((a >>> 0) < (b >>> 0) ? PSL_C : 0);
}

/** EXTV/EXTZV pos.rl, size.rb, base.vb, dst.wl. */
function ext(x: IsaContext, signed: boolean): void {
  const size = x.opv[1]! & 0xff;
  let v = extract(x, 0);
  if (signed) v = signExtend(v, size);
  x.store(3, 4, v);
  x.setCc((x.psl & PSL_C) | (v < 0 ? PSL_N : v === 0 ? PSL_Z : 0));
}

/** CMPV/CMPZV pos.rl, size.rb, base.vb, src.rl. */
function cmpv(x: IsaContext, signed: boolean): void {
  const size = x.opv[1]! & 0xff;
  let v = extract(x, 0);
  if (signed) v = signExtend(v, size);
  x.setCc(cmpCc(v | 0, x.opv[3]!));
}

/**
 * FFS/FFC startpos.rl, size.rb, base.vb, findpos.wl: findpos = startpos +
 * the offset of the first set (clear) bit, or startpos + size if none;
 * Z = none found.
 */
function ff(x: IsaContext, clear: boolean): void {
  const size = x.opv[1]! & 0xff;
  let v = extract(x, 0);
  if (clear) v = (v ^ lowMask(size)) & lowMask(size);
  const off = v === 0 ? size : 31 - Math.clz32(v & -v);
  x.store(3, 4, (x.opv[0]! + off) | 0);
  x.setCc(v === 0 ? PSL_Z : 0);
}

/** INSV src.rl, pos.rl, size.rb, base.vb (SimH op_insv). */
function insv(x: IsaContext): void {
  const ins = x.opv[0]!;
  let pos = x.opv[1]!;
  const size = x.opv[2]! & 0xff;
  if (size === 0) return;
  if (size > 32) x.reservedOperand();
  const rn = x.opr[3]!;
  const r = x.r;
  if (rn >= 0) {
    if ((pos >>> 0) > 31) x.reservedOperand();
    if (pos + size > 32) {
      if (rn >= 14) x.reservedAddressingMode();
      const m = lowMask(pos + size - 32);
      r[rn + 1] = (r[rn + 1]! & ~m) | ((ins >>> (32 - pos)) & m);
    }
    const m = lowMask(size) << pos;
    r[rn] = (r[rn]! & ~m) | ((ins << pos) & m);
    return;
  }
  let ba = (x.opv[3]! + (pos >> 3)) | 0;
  pos = (pos & 7) | ((ba & 3) << 3);
  ba &= ~3;
  const wd = x.readModify(ba, 4);
  if (size + pos > 32) {
    const wd1 = x.readModify((ba + 4) | 0, 4);
    const m = lowMask(pos + size - 32);
    x.write((ba + 4) | 0, 4, (wd1 & ~m) | ((ins >>> (32 - pos)) & m));
  }
  const m = lowMask(size) << pos;
  x.write(ba, 4, (wd & ~m) | ((ins << pos) & m));
}

/**
 * BBSS, BBCS, BBSC, BBCC, BBSSI, BBCCI pos.rl, base.vb, displ.bb: tests
 * the bit, sets or clears it, branches on its old value (SimH op_bb_x).
 */
function bbx(x: IsaContext, newBit: number, branchOn: number): void {
  let pos = x.opv[0]!;
  const rn = x.opr[1]!;
  let bit: number;
  if (rn >= 0) {
    if ((pos >>> 0) > 31) x.reservedOperand();
    const v = x.r[rn]!;
    bit = (v >>> pos) & 1;
    x.r[rn] = newBit ? v | (1 << pos) : v & ~(1 << pos);
  } else {
    const ea = (x.opv[1]! + (pos >> 3)) | 0;
    pos &= 7;
    const by = x.readModify(ea, 1);
    bit = (by >> pos) & 1;
    x.write(ea, 1, newBit ? by | (1 << pos) : by & ~(1 << pos));
  }
  if (bit === branchOn) x.r[15] = x.r[15]! + x.opv[2]!;
}

/** The family: executors by opcode. */
export const BITFIELD: Family = {
  0xe2: (x) => bbx(x, 1, 1), // BBSS
  0xe3: (x) => bbx(x, 1, 0), // BBCS
  0xe4: (x) => bbx(x, 0, 1), // BBSC
  0xe5: (x) => bbx(x, 0, 0), // BBCC
  0xe6: (x) => bbx(x, 1, 1), // BBSSI
  0xe7: (x) => bbx(x, 0, 0), // BBCCI
  0xea: (x) => ff(x, false), // FFS
  0xeb: (x) => ff(x, true), // FFC
  0xec: (x) => cmpv(x, true), // CMPV
  0xed: (x) => cmpv(x, false), // CMPZV
  0xee: (x) => ext(x, true), // EXTV
  0xef: (x) => ext(x, false), // EXTZV
  0xf0: insv,
};
