/**
 * VAX floating point in F, D and G formats as pure functions on bit
 * patterns, computed exactly (vax-architecture.md section 4; the VAX SRM's
 * floating-point chapter; the KA655's FPU as SimH's vax_fpa.c models it).
 *
 * Formats, as the bytes lie in memory (a longword read little-endian puts
 * the first word in bits 15:0):
 *
 * - F (32 bits): word 0 = sign<15>, exponent<14:7> (excess 128),
 *   fraction<6:0> (the most significant bits); word 1 = the next 16
 *   fraction bits. A hidden leading 1 gives 24 bits: value =
 *   0.1fff...f × 2^(exponent − 128).
 * - D (64 bits): F's first longword, then 32 more fraction bits in two
 *   words, most significant word first: 56 significant bits, more than a
 *   JavaScript number holds.
 * - G (64 bits): sign<15>, exponent<14:4> (excess 1024), fraction<3:0>,
 *   then three words of fraction: 53 significant bits.
 *
 * Exponent 0 with sign 0 is zero (whatever the fraction bits). Exponent 0
 * with sign 1 is a reserved operand: any instruction that reads it takes the
 * reserved-operand fault. Results are rounded as the VAX rounds: the exact
 * result's magnitude is rounded to the nearest representable value, ties
 * away from zero. A result exponent above the range is a floating overflow
 * (a fault on the KA655, arithmetic code 8), below it an underflow (a fault,
 * code 10, only when PSL<FU> is set; otherwise the result is exactly 0), and
 * a zero divisor a divide-by-zero fault (code 9).
 *
 * Representation: F values are numbers holding the longword (0 to 2^32−1);
 * D and G values are {@link Quad}s, the two longwords in address order. The
 * F operations compute in JavaScript numbers, which hold every F
 * intermediate exactly (24-bit fractions, 48-bit products); the D and G
 * operations compute on BigInt fractions. The generic functions
 * ({@link floatAdd} and friends) take any format and are the reference the
 * F fast path is tested against.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addF, fFromNumber, fToNumber } from "./float.ts";
 *
 * const one = fFromNumber(1);
 * assert.equal(one, 0x4080);
 * assert.equal(fToNumber(addF(one, fFromNumber(2.5), false)), 3.5);
 * ```
 *
 * @module
 */

/** A floating format of the VAX that the KA655 executes. */
export type FloatFormat = "f" | "d" | "g";

/**
 * A 64-bit value as two longwords in address order: `[0]` is the longword
 * at the lower address (it holds sign and exponent), `[1]` the next one.
 * Each is an unsigned 32-bit number.
 */
export type Quad = readonly [number, number];

/** Why a floating operation cannot produce a result. */
export type FloatFaultKind =
  | "reserved-operand"
  | "overflow"
  | "underflow"
  | "divide-by-zero";

/** Arithmetic exception type codes of the floating faults (SRM). */
export const FLOAT_FAULT_CODE = {
  /** Floating overflow fault. */
  overflow: 8,
  /** Floating divide-by-zero fault. */
  "divide-by-zero": 9,
  /** Floating underflow fault. */
  underflow: 10,
} as const;

/**
 * Thrown by the floating operations when the VAX would take an exception:
 * a reserved operand (SCB 0x18) or an arithmetic fault (SCB 0x34 with
 * {@link FloatFault.code}).
 */
export class FloatFault extends Error {
  /** What went wrong. */
  readonly kind: FloatFaultKind;
  /** Arithmetic type code (8, 9, 10), or 0 for a reserved operand. */
  readonly code: number;

  /** Create the fault of one kind. */
  constructor(kind: FloatFaultKind) {
    super(`VAX floating ${kind}`);
    this.name = "FloatFault";
    this.kind = kind;
    this.code = kind === "reserved-operand" ? 0 : FLOAT_FAULT_CODE[kind];
  }
}

// One instance per kind: faults are thrown on hot paths of guest programs.
const ROF = new FloatFault("reserved-operand");
const OVF = new FloatFault("overflow");
const UNF = new FloatFault("underflow");
const DZF = new FloatFault("divide-by-zero");

/** Signed result of a comparison: -1 (less), 0 (equal), 1 (greater). */
export type Order = -1 | 0 | 1;

/** Result of a floating-to-integer conversion. */
export interface IntResult {
  /**
   * The low `size` bytes of the integer, sign-extended to 32 bits (the
   * value the destination receives, also when it overflowed).
   */
  value: number;
  /** The integer does not fit in the destination (sets V; IV traps). */
  overflow: boolean;
}

// ---------------------------------------------------------------------------
// Format descriptions.

interface Fmt {
  /** Significant bits including the hidden bit. */
  p: number;
  /** Exponent bias. */
  bias: number;
  /** Largest biased exponent. */
  maxExp: number;
  /** Position of the exponent in the word-swapped high longword. */
  expShift: number;
  /** Fraction bits held in the high longword (without the hidden bit). */
  hiFracBits: number;
  /** Fraction bits in the low longword (0 for F). */
  loBits: number;
}

const FMT: Record<FloatFormat, Fmt> = {
  f: { p: 24, bias: 128, maxExp: 255, expShift: 23, hiFracBits: 23, loBits: 0 },
  d: {
    p: 56,
    bias: 128,
    maxExp: 255,
    expShift: 23,
    hiFracBits: 23,
    loBits: 32,
  },
  g: {
    p: 53,
    bias: 1024,
    maxExp: 2047,
    expShift: 20,
    hiFracBits: 20,
    loBits: 32,
  },
};

/** Exchange the two words of a longword (PDP-11 order to natural order). */
function swap(x: number): number {
  return ((x << 16) | (x >>> 16)) >>> 0;
}

/** Unpacked value: value = frac × 2^(exp − bias − p); zero has frac 0n. */
interface Unpacked {
  sign: number;
  exp: number;
  frac: bigint;
}

function unpack(fmt: Fmt, v: Quad): Unpacked {
  const h = swap(v[0]);
  const sign = h >>> 31;
  const exp = (h >>> fmt.expShift) & fmt.maxExp;
  if (exp === 0) {
    if (sign !== 0) throw ROF;
    return { sign: 0, exp: 0, frac: 0n };
  }
  const hf = (h & ((1 << fmt.hiFracBits) - 1)) | (1 << fmt.hiFracBits);
  const frac = fmt.loBits === 0
    ? BigInt(hf)
    : (BigInt(hf) << 32n) | BigInt(swap(v[1]));
  return { sign, exp, frac };
}

/** Number of significant bits of a positive bigint. */
function bitLength(x: bigint): number {
  const n = Number(x);
  if (n < 2 ** 1000) {
    let l = n < 1 ? 0 : Math.floor(Math.log2(n)) + 1;
    while (l > 0 && x >> BigInt(l - 1) === 0n) l--;
    while (x >> BigInt(l) !== 0n) l++;
    return l;
  }
  return x.toString(2).length;
}

/**
 * Round and pack: the exact magnitude `mag × 2^e2` with `sign`, rounded to
 * `fmt.p` bits with ties away from zero, then range-checked.
 */
function roundPack(
  fmt: Fmt,
  sign: number,
  mag: bigint,
  e2: number,
  fu: boolean,
): Quad {
  if (mag === 0n) return [0, 0];
  const p = fmt.p;
  const l = bitLength(mag);
  // q: p + 1 bits (the last one is the rounding bit), truncated.
  let q: bigint;
  let eq: number;
  if (l > p + 1) {
    q = mag >> BigInt(l - p - 1);
    eq = e2 + l - p - 1;
  } else {
    q = mag << BigInt(p + 1 - l);
    eq = e2 - (p + 1 - l);
  }
  let r = (q + 1n) >> 1n;
  let exp = eq + 1 + p + fmt.bias;
  if (r >> BigInt(p) !== 0n) {
    r >>= 1n;
    exp += 1;
  }
  return packExact(fmt, sign, exp, r, fu);
}

/** Pack an exactly representable p-bit fraction; checks the exponent. */
function packExact(
  fmt: Fmt,
  sign: number,
  exp: number,
  frac: bigint,
  fu: boolean,
): Quad {
  if (exp > fmt.maxExp) throw OVF;
  if (exp < 1) {
    if (fu) throw UNF;
    return [0, 0];
  }
  const hiMask = (1 << fmt.hiFracBits) - 1;
  const hf = Number(frac >> BigInt(fmt.loBits)) & hiMask;
  const h = ((sign << 31) | (exp << fmt.expShift) | hf) >>> 0;
  const lo = fmt.loBits === 0 ? 0 : Number(frac & 0xffffffffn);
  return [swap(h), fmt.loBits === 0 ? 0 : swap(lo)];
}

function scale(fmt: Fmt, u: Unpacked): number {
  return u.exp - fmt.bias - fmt.p;
}

// ---------------------------------------------------------------------------
// Generic operations (any format, values as Quad; F uses [longword, 0]).

/**
 * Check a value for the reserved operand and return it with a "dirty zero"
 * (exponent 0, sign 0, fraction not 0) cleaned to true zero: what MOVx
 * stores.
 */
export function floatMove(format: FloatFormat, v: Quad): Quad {
  const h = swap(v[0]);
  const fmt = FMT[format];
  if (((h >>> fmt.expShift) & fmt.maxExp) !== 0) {
    return format === "f" ? [v[0] >>> 0, 0] : [v[0] >>> 0, v[1] >>> 0];
  }
  if (h >>> 31) throw ROF;
  return [0, 0];
}

/** MNEGx: the negated value (zero stays true zero). */
export function floatNeg(format: FloatFormat, v: Quad): Quad {
  const m = floatMove(format, v);
  if (m[0] === 0) return m;
  return [(m[0] ^ 0x8000) >>> 0, m[1]];
}

/** TSTx: -1, 0 or 1 by sign (reserved operands fault). */
export function floatTest(format: FloatFormat, v: Quad): Order {
  const fmt = FMT[format];
  const h = swap(v[0]);
  if (((h >>> fmt.expShift) & fmt.maxExp) === 0) {
    if (h >>> 31) throw ROF;
    return 0;
  }
  return h >>> 31 ? -1 : 1;
}

/** CMPx: the order of `a` relative to `b`. */
export function floatCompare(format: FloatFormat, a: Quad, b: Quad): Order {
  const fmt = FMT[format];
  const ua = unpackSplit(fmt, format === "f" ? [a[0], 0] : a);
  const ub = unpackSplit(fmt, format === "f" ? [b[0], 0] : b);
  const sa = ua.exp === 0 ? 0 : (ua.sign ? -1 : 1);
  const sb = ub.exp === 0 ? 0 : (ub.sign ? -1 : 1);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  // Same sign, both non-zero: compare magnitudes.
  let m: number;
  if (ua.exp !== ub.exp) m = ua.exp < ub.exp ? -1 : 1;
  else if (ua.h !== ub.h) m = ua.h < ub.h ? -1 : 1;
  else if (ua.l !== ub.l) m = ua.l < ub.l ? -1 : 1;
  else return 0;
  return (sa < 0 ? -m : m) as Order;
}

function addUnpacked(
  fmt: Fmt,
  a: Unpacked,
  b: Unpacked,
  fu: boolean,
): Quad {
  if (a.exp === 0) {
    return b.exp === 0 ? [0, 0] : packExact(fmt, b.sign, b.exp, b.frac, fu);
  }
  if (b.exp === 0) return packExact(fmt, a.sign, a.exp, a.frac, fu);
  // Make a the operand with the larger exponent.
  if (a.exp < b.exp) {
    const t = a;
    a = b;
    b = t;
  }
  const d = a.exp - b.exp;
  if (d > fmt.p + 2) {
    // b is below a quarter of a's last place: a is the rounded result.
    return packExact(fmt, a.sign, a.exp, a.frac, fu);
  }
  const fa = a.frac << BigInt(d);
  const s = a.sign === b.sign ? fa + b.frac : fa - b.frac;
  if (s === 0n) return [0, 0];
  const sign = s < 0n ? b.sign : a.sign;
  return roundPack(fmt, sign, s < 0n ? -s : s, scale(fmt, b), fu);
}

/** ADDx: `a + b`, rounded. `fu` is PSL<FU> (underflow faults when set). */
export function floatAdd(
  format: FloatFormat,
  a: Quad,
  b: Quad,
  fu: boolean,
): Quad {
  const fmt = FMT[format];
  return addUnpacked(fmt, unpack(fmt, a), unpack(fmt, b), fu);
}

/** SUBx: `minuend − subtrahend`, rounded. */
export function floatSub(
  format: FloatFormat,
  minuend: Quad,
  subtrahend: Quad,
  fu: boolean,
): Quad {
  const fmt = FMT[format];
  const s = unpack(fmt, subtrahend);
  const m = unpack(fmt, minuend);
  s.sign ^= 1;
  return addUnpacked(fmt, m, s, fu);
}

/** MULx: `a × b`, rounded. */
export function floatMul(
  format: FloatFormat,
  a: Quad,
  b: Quad,
  fu: boolean,
): Quad {
  const fmt = FMT[format];
  const ua = unpack(fmt, a);
  const ub = unpack(fmt, b);
  if (ua.exp === 0 || ub.exp === 0) return [0, 0];
  return roundPack(
    fmt,
    ua.sign ^ ub.sign,
    ua.frac * ub.frac,
    scale(fmt, ua) + scale(fmt, ub),
    fu,
  );
}

/** DIVx: `dividend ÷ divisor`, rounded; a zero divisor faults. */
export function floatDiv(
  format: FloatFormat,
  dividend: Quad,
  divisor: Quad,
  fu: boolean,
): Quad {
  const fmt = FMT[format];
  // The divisor is the first operand in the instruction stream; SimH
  // unpacks (and checks) it first.
  const ur = unpack(fmt, divisor);
  const ud = unpack(fmt, dividend);
  if (ur.exp === 0) throw DZF;
  if (ud.exp === 0) return [0, 0];
  // A truncated quotient with at least two bits below the last place
  // rounds exactly as the infinitely precise one would.
  const k = fmt.p + 2;
  const q = (ud.frac << BigInt(k)) / ur.frac;
  return roundPack(
    fmt,
    ud.sign ^ ur.sign,
    q,
    scale(fmt, ud) - scale(fmt, ur) - k,
    fu,
  );
}

/** CVT from a 32-bit signed integer (CVTBx, CVTWx, CVTLx), rounded. */
export function floatFromInt(format: FloatFormat, n: number): Quad {
  const fmt = FMT[format];
  n |= 0;
  if (n === 0) return [0, 0];
  const mag = BigInt(Math.abs(n));
  return roundPack(fmt, n < 0 ? 1 : 0, mag, 0, false);
}

const INT_MAX = [0, 0x7f, 0x7fff, 0, 0x7fffffff];

/**
 * CVT to an integer of `size` bytes (1, 2, 4): truncated toward zero, or
 * rounded (ties away from zero) for CVTRxL.
 */
export function floatToInt(
  format: FloatFormat,
  v: Quad,
  size: 1 | 2 | 4,
  round: boolean,
): IntResult {
  const fmt = FMT[format];
  const u = unpack(fmt, v);
  if (u.exp === 0) return { value: 0, overflow: false };
  const sh = scale(fmt, u);
  let mag: bigint;
  if (sh >= 0) {
    // Only the low 32 bits and the overflow matter; keep shifts bounded.
    mag = sh > 96 ? 1n << 96n : u.frac << BigInt(sh);
  } else if (-sh > fmt.p + 1) {
    mag = 0n;
  } else if (round) {
    mag = ((u.frac >> BigInt(-sh - 1)) + 1n) >> 1n;
  } else {
    mag = u.frac >> BigInt(-sh);
  }
  const max = BigInt(INT_MAX[size]!);
  const overflow = u.sign ? mag > max + 1n : mag > max;
  const low = Number(mag & 0xffffffffn);
  let value = u.sign ? -low | 0 : low | 0;
  if (size === 1) value = (value << 24) >> 24;
  else if (size === 2) value = (value << 16) >> 16;
  if (sh > 96) value = 0;
  return { value, overflow };
}

/**
 * Convert between formats: CVTFD, CVTDF, CVTFG, CVTGF (the KA655 has these
 * four; the architecture has no CVTDG or CVTGD). Narrowing rounds and can
 * overflow or underflow.
 */
export function floatConvert(
  from: FloatFormat,
  to: FloatFormat,
  v: Quad,
  fu: boolean,
): Quad {
  const ff = FMT[from];
  const ft = FMT[to];
  const u = unpack(ff, v);
  if (u.exp === 0) return [0, 0];
  return roundPack(ft, u.sign, u.frac, scale(ff, u), fu);
}

/**
 * The value of a short literal (0 to 63) in a floating operand: bits 5:3
 * are the exponent and 2:0 the fraction, giving 0.5 to 120.
 */
export function floatLiteral(format: FloatFormat, lit: number): Quad {
  lit &= 63;
  return format === "g" ? [0x4000 | (lit << 1), 0] : [0x4000 | (lit << 4), 0];
}

/**
 * The short literal (0 to 63) that encodes `v` exactly, or -1 when none
 * does (the assembler uses it to pick `S^#` for floating operands).
 */
export function floatToLiteral(format: FloatFormat, v: Quad): number {
  for (let lit = 0; lit < 64; lit++) {
    const q = floatLiteral(format, lit);
    if (q[0] === v[0] >>> 0 && (format === "f" || q[1] === v[1] >>> 0)) {
      return lit;
    }
  }
  return -1;
}

/**
 * The value as a JavaScript number (exact for F and G, rounded to nearest
 * for D; reserved operands give NaN). For display and tests.
 */
export function floatToNumber(format: FloatFormat, v: Quad): number {
  const fmt = FMT[format];
  let u: Unpacked;
  try {
    u = unpack(fmt, v);
  } catch {
    return NaN;
  }
  if (u.exp === 0) return 0;
  // Round D's 56 bits to 53 first so that the scaling is exact.
  let frac = u.frac;
  let sh = scale(fmt, u);
  if (fmt.p > 53) {
    const extra = BigInt(fmt.p - 53);
    const half = 1n << (extra - 1n);
    const rem = frac & ((1n << extra) - 1n);
    frac >>= extra;
    if (rem > half || (rem === half && (frac & 1n) === 1n)) frac += 1n;
    sh += fmt.p - 53;
  }
  let m = Number(frac);
  if (sh < -1000) {
    m *= 2 ** -500;
    sh += 500;
  }
  m *= 2 ** sh;
  return u.sign ? -m : m;
}

/**
 * Encode a JavaScript number, rounded as the VAX rounds; throws a
 * {@link FloatFault} ("overflow", "underflow") when it is out of range and a
 * RangeError for NaN and infinities. Used by the assembler's `#1.5` literals.
 */
export function floatFromNumber(format: FloatFormat, x: number): Quad {
  if (!Number.isFinite(x)) {
    throw new RangeError(`Cannot encode ${x} as a VAX ${format}_floating`);
  }
  if (x === 0) return [0, 0];
  const fmt = FMT[format];
  const sign = x < 0 ? 1 : 0;
  let m = Math.abs(x);
  // m = mant × 2^e with mant an integer below 2^53 (exact steps).
  let e = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    e -= 1;
  }
  while (m >= 2 ** 53) {
    m /= 2;
    e += 1;
  }
  return roundPack(fmt, sign, BigInt(m), e, true);
}

// ---------------------------------------------------------------------------
// F format in JavaScript numbers (exact: every intermediate is below 2^53).

const TWO32 = 4294967296;

/** Powers of two 2^0 to 2^63 (a table lookup is faster than `**`). */
const P2: Float64Array = Float64Array.from({ length: 64 }, (_, i) => 2 ** i);

/** Bit length of a non-negative integer below 2^53. */
function bitLen(x: number): number {
  if (x < TWO32) return 32 - Math.clz32(x);
  return 64 - Math.clz32(Math.floor(x / TWO32));
}

/** Round `mag × 2^e2` to 24 bits and pack as F (mag an integer < 2^53). */
function roundPackF(sign: number, mag: number, e2: number, fu: boolean) {
  if (mag === 0) return 0;
  const l = bitLen(mag);
  let q: number;
  let eq: number;
  if (l > 25) {
    q = Math.floor(mag / P2[l - 25]!);
    eq = e2 + l - 25;
  } else {
    q = mag * P2[25 - l]!;
    eq = e2 - (25 - l);
  }
  let r = Math.floor((q + 1) / 2);
  let exp = eq + 1 + 24 + 128;
  if (r >= 0x1000000) {
    r = 0x800000;
    exp += 1;
  }
  if (exp > 255) throw OVF;
  if (exp < 1) {
    if (fu) throw UNF;
    return 0;
  }
  const h = (sign << 31) | (exp << 23) | (r & 0x7fffff);
  return ((h << 16) | (h >>> 16)) >>> 0;
}

/** MOVF: the F value with reserved-operand check and dirty zero cleaned. */
export function moveF(a: number): number {
  if ((a & 0x7f80) !== 0) return a >>> 0;
  if (a & 0x8000) throw ROF;
  return 0;
}

/** ADDF: `a + b` in F format. */
export function addF(a: number, b: number, fu: boolean): number {
  let ea = (a >>> 7) & 0xff;
  let eb = (b >>> 7) & 0xff;
  if (ea === 0 && (a & 0x8000) !== 0) throw ROF;
  if (eb === 0 && (b & 0x8000) !== 0) throw ROF;
  if (ea === 0) return eb === 0 ? 0 : b >>> 0;
  if (eb === 0) return a >>> 0;
  if (ea < eb) {
    const t = a;
    a = b;
    b = t;
    const te = ea;
    ea = eb;
    eb = te;
  }
  const d = ea - eb;
  if (d > 26) return a >>> 0;
  const fa = (((a & 0x7f) | 0x80) << 16) | (a >>> 16);
  const fb = (((b & 0x7f) | 0x80) << 16) | (b >>> 16);
  const sa = (a >>> 15) & 1;
  const s = sa === ((b >>> 15) & 1) ? fa * P2[d]! + fb : fa * P2[d]! - fb;
  if (s === 0) return 0;
  return s < 0
    ? roundPackF(sa ^ 1, -s, eb - 152, fu)
    : roundPackF(sa, s, eb - 152, fu);
}

/** SUBF: `minuend − subtrahend` in F format. */
export function subF(minuend: number, subtrahend: number, fu: boolean): number {
  if ((subtrahend & 0x7f80) === 0) {
    if (subtrahend & 0x8000) throw ROF;
    return addF(minuend, 0, fu);
  }
  return addF(minuend, subtrahend ^ 0x8000, fu);
}

/** MULF: `a × b` in F format. */
export function mulF(a: number, b: number, fu: boolean): number {
  const ea = (a >>> 7) & 0xff;
  const eb = (b >>> 7) & 0xff;
  if (ea === 0 && (a & 0x8000) !== 0) throw ROF;
  if (eb === 0 && (b & 0x8000) !== 0) throw ROF;
  if (ea === 0 || eb === 0) return 0;
  const fa = (((a & 0x7f) | 0x80) << 16) | (a >>> 16);
  const fb = (((b & 0x7f) | 0x80) << 16) | (b >>> 16);
  return roundPackF(
    ((a ^ b) >>> 15) & 1,
    fa * fb,
    ea + eb - 304,
    fu,
  );
}

/** DIVF: `dividend ÷ divisor` in F format. */
export function divF(dividend: number, divisor: number, fu: boolean): number {
  const er = (divisor >>> 7) & 0xff;
  const ed = (dividend >>> 7) & 0xff;
  if (er === 0 && (divisor & 0x8000) !== 0) throw ROF;
  if (ed === 0 && (dividend & 0x8000) !== 0) throw ROF;
  if (er === 0) throw DZF;
  if (ed === 0) return 0;
  const fr = (((divisor & 0x7f) | 0x80) << 16) | (divisor >>> 16);
  const fd = (((dividend & 0x7f) | 0x80) << 16) | (dividend >>> 16);
  const n = fd * 67108864; // 2^26
  let q = Math.floor(n / fr);
  const rem = n - q * fr;
  if (rem < 0) q -= 1;
  else if (rem >= fr) q += 1;
  return roundPackF(((dividend ^ divisor) >>> 15) & 1, q, ed - er - 26, fu);
}

/** CVTxF from a 32-bit signed integer. */
export function fFromInt(n: number): number {
  n |= 0;
  if (n === 0) return 0;
  return n < 0 ? roundPackF(1, -n, 0, false) : roundPackF(0, n, 0, false);
}

/** The F value as a JavaScript number (reserved operand: NaN). */
export function fToNumber(a: number): number {
  return floatToNumber("f", [a >>> 0, 0]);
}

/** Encode a JavaScript number as F, rounded as the VAX rounds. */
export function fFromNumber(x: number): number {
  return floatFromNumber("f", x)[0];
}

// ---------------------------------------------------------------------------
// D and G add, subtract and multiply on split fractions: a fraction is a
// pair (h, l) of numbers, value h × 2^32 + l with 0 <= l < 2^32, so that
// every intermediate stays an integer below 2^53 (exact in a double).

/** Unpacked D or G value with a split fraction (h includes the hidden bit). */
interface Split {
  sign: number;
  exp: number;
  h: number;
  l: number;
}

function unpackSplit(fmt: Fmt, v: Quad): Split {
  const h = swap(v[0]);
  const sign = h >>> 31;
  const exp = (h >>> fmt.expShift) & fmt.maxExp;
  if (exp === 0) {
    if (sign !== 0) throw ROF;
    return { sign: 0, exp: 0, h: 0, l: 0 };
  }
  return {
    sign,
    exp,
    h: (h & ((1 << fmt.hiFracBits) - 1)) | (1 << fmt.hiFracBits),
    l: swap(v[1]),
  };
}

/**
 * Round the exact magnitude (h × 2^32 + l) × 2^e2 to p bits (ties away
 * from zero) and pack; h < 2^52.
 */
function roundPackSplit(
  fmt: Fmt,
  sign: number,
  h: number,
  l: number,
  e2: number,
  fu: boolean,
): Quad {
  if (h === 0 && l === 0) return [0, 0];
  const len = h !== 0 ? 32 + bitLen(h) : bitLen(l);
  const p = fmt.p;
  const k = len - p; // shift that leaves p bits
  if (k > 0) {
    // Add half a unit of the last place, then shift right by k.
    if (k <= 32) {
      l += P2[k - 1]!;
      if (l >= TWO32) {
        l -= TWO32;
        h += 1;
      }
      if (k === 32) {
        l = h;
        h = 0;
      } else {
        const m = P2[k]!;
        const hr = h % m;
        h = (h - hr) / m;
        l = Math.floor(l / m) + hr * P2[32 - k]!;
      }
    } else {
      h += P2[k - 33]!;
      const m = P2[k - 32]!;
      l = Math.floor(h / m);
      h = 0;
    }
    // l may now hold more than 32 bits when h was folded into it.
    if (l >= TWO32) {
      h += Math.floor(l / TWO32);
      l %= TWO32;
    }
  } else if (k < 0) {
    const s = -k;
    if (s >= 32) {
      h = l * P2[s - 32]!;
      l = 0;
    } else {
      const m = P2[s]!;
      const t = l * m;
      h = h * m + Math.floor(t / TWO32);
      l = t % TWO32;
    }
  }
  let exp = e2 + k + p + fmt.bias;
  const top = P2[p - 32]!;
  if (h >= top) {
    // Rounding carried into a new bit: the value is exactly 2^p.
    h = top / 2;
    l = 0;
    exp += 1;
  }
  if (exp > fmt.maxExp) throw OVF;
  if (exp < 1) {
    if (fu) throw UNF;
    return [0, 0];
  }
  const hi = ((sign << 31) | (exp << fmt.expShift) |
    (h & ((1 << fmt.hiFracBits) - 1))) >>> 0;
  return [swap(hi), swap(l)];
}

function addSplit(fmt: Fmt, a: Split, b: Split, fu: boolean): Quad {
  if (a.exp === 0) {
    return b.exp === 0 ? [0, 0] : roundPackSplit(
      fmt,
      b.sign,
      b.h,
      b.l,
      b.exp - fmt.bias - fmt.p,
      fu,
    );
  }
  if (b.exp === 0) {
    return roundPackSplit(fmt, a.sign, a.h, a.l, a.exp - fmt.bias - fmt.p, fu);
  }
  // a: the larger magnitude.
  if (
    a.exp < b.exp ||
    (a.exp === b.exp && (a.h < b.h || (a.h === b.h && a.l < b.l)))
  ) {
    const t = a;
    a = b;
    b = t;
  }
  const d = a.exp - b.exp;
  const e2 = a.exp - fmt.bias - fmt.p - 2;
  // A = a × 4 (two guard bits).
  let ah = a.h * 4 + Math.floor(a.l / 1073741824);
  let al = (a.l % 1073741824) * 4;
  if (d > fmt.p + 2) {
    return roundPackSplit(fmt, a.sign, ah, al, e2, fu);
  }
  // B = b × 2^(2 − d): floor for an addition, ceiling for a subtraction.
  const sub = a.sign !== b.sign;
  let bh: number;
  let bl: number;
  if (d <= 2) {
    const m = P2[2 - d]!;
    const t = b.l * m;
    bh = b.h * m + Math.floor(t / TWO32);
    bl = t % TWO32;
  } else {
    const s = d - 2;
    let lost: boolean;
    if (s < 32) {
      const m = P2[s]!;
      const hr = b.h % m;
      lost = b.l % m !== 0;
      bh = (b.h - hr) / m;
      bl = Math.floor(b.l / m) + hr * P2[32 - s]!;
    } else {
      const m = P2[s - 32]!;
      lost = b.l !== 0 || b.h % m !== 0;
      bh = 0;
      bl = Math.floor(b.h / m);
    }
    if (sub && lost) {
      bl += 1;
      if (bl >= TWO32) {
        bl -= TWO32;
        bh += 1;
      }
    }
  }
  if (sub) {
    ah -= bh;
    al -= bl;
    if (al < 0) {
      al += TWO32;
      ah -= 1;
    }
  } else {
    ah += bh;
    al += bl;
    if (al >= TWO32) {
      al -= TWO32;
      ah += 1;
    }
  }
  return roundPackSplit(fmt, a.sign, ah, al, e2, fu);
}

function mulSplit(fmt: Fmt, a: Split, b: Split, fu: boolean): Quad {
  if (a.exp === 0 || b.exp === 0) return [0, 0];
  const la1 = Math.floor(a.l / 65536);
  const la0 = a.l % 65536;
  const lb1 = Math.floor(b.l / 65536);
  const lb0 = b.l % 65536;
  // The product divided by 2^32, truncated (rounding stays exact: the
  // round bit is far above).
  const low = (la1 * lb0 + la0 * lb1) * 65536 + la0 * lb0;
  const mid = a.h * lb1 + b.h * la1;
  const m2 = a.h * lb0 + b.h * la0 + la1 * lb1 + Math.floor(low / TWO32);
  let h = a.h * b.h + Math.floor(mid / 65536) + Math.floor(m2 / TWO32);
  let l = (mid % 65536) * 65536 + (m2 % TWO32);
  if (l >= TWO32) {
    l -= TWO32;
    h += 1;
  }
  const e2 = (a.exp - fmt.bias - fmt.p) + (b.exp - fmt.bias - fmt.p) + 32;
  return roundPackSplit(fmt, a.sign ^ b.sign, h, l, e2, fu);
}

/** ADDD/ADDG on split fractions (same results as {@link floatAdd}). */
export function addSplitDG(
  format: "d" | "g",
  a: Quad,
  b: Quad,
  fu: boolean,
): Quad {
  const fmt = FMT[format];
  return addSplit(fmt, unpackSplit(fmt, a), unpackSplit(fmt, b), fu);
}

/** SUBD/SUBG on split fractions: `minuend − subtrahend`. */
export function subSplitDG(
  format: "d" | "g",
  minuend: Quad,
  subtrahend: Quad,
  fu: boolean,
): Quad {
  const fmt = FMT[format];
  const s = unpackSplit(fmt, subtrahend);
  const m = unpackSplit(fmt, minuend);
  s.sign ^= 1;
  return addSplit(fmt, m, s, fu);
}

/** MULD/MULG on split fractions (same results as {@link floatMul}). */
export function mulSplitDG(
  format: "d" | "g",
  a: Quad,
  b: Quad,
  fu: boolean,
): Quad {
  const fmt = FMT[format];
  return mulSplit(fmt, unpackSplit(fmt, a), unpackSplit(fmt, b), fu);
}

// ---------------------------------------------------------------------------
// EMODx and POLYx: extended-precision operations with the truncations the
// architecture specifies at fixed places (POLY keeps 31 or 63 fraction bits
// of each product and sum before normalizing). They are computed, as SimH's
// vax_fpa.c computes them, on a 64-bit fraction normalized at bit 63.

const M64 = (1n << 64n) - 1n;

/** A value with a 64-bit fraction: value = frac / 2^64 × 2^(exp − bias). */
interface Wide {
  sign: number;
  exp: number;
  frac: bigint;
}

function unpackWide(fmt: Fmt, v: Quad): Wide {
  const u = unpack(fmt, v);
  return { sign: u.sign, exp: u.exp, frac: u.frac << BigInt(64 - fmt.p) };
}

function normWide(a: Wide): void {
  if (a.frac === 0n) {
    a.sign = 0;
    a.exp = 0;
    return;
  }
  const shift = 64 - bitLength(a.frac);
  if (shift > 0) {
    a.frac = (a.frac << BigInt(shift)) & M64;
    a.exp -= shift;
  }
}

function packWide(fmt: Fmt, a: Wide, fu: boolean): Quad {
  if (a.frac === 0n) return [0, 0];
  let frac = a.frac + (1n << BigInt(63 - fmt.p));
  let exp = a.exp;
  if (frac > M64) {
    frac >>= 1n;
    exp += 1;
  }
  return packExact(fmt, a.sign, exp, frac >> BigInt(64 - fmt.p), fu);
}

/** a = a × b, the fraction product truncated to 64 bits then masked. */
function mulWide(
  a: Wide,
  b: Wide,
  full: boolean,
  bias: number,
  mask: bigint,
): void {
  if (a.exp === 0 || b.exp === 0) {
    a.sign = 0;
    a.exp = 0;
    a.frac = 0n;
    return;
  }
  a.sign ^= b.sign;
  a.exp = a.exp + b.exp - bias;
  const p = full ? (a.frac * b.frac) >> 64n : (a.frac >> 32n) * (b.frac >> 32n);
  a.frac = p & ~mask & M64;
  normWide(a);
}

/** a = a + b on 64-bit fractions (truncating), masked before normalizing. */
function addWide(a: Wide, b: Wide, mask: bigint): void {
  if (a.frac === 0n) {
    a.sign = b.sign;
    a.exp = b.exp;
    a.frac = b.frac;
    return;
  }
  if (b.frac === 0n) return;
  if (a.exp < b.exp || (a.exp === b.exp && a.frac < b.frac)) {
    const t = { ...a };
    a.sign = b.sign;
    a.exp = b.exp;
    a.frac = b.frac;
    b = t;
  }
  const d = a.exp - b.exp;
  if (a.sign !== b.sign) {
    if (d !== 0) {
      // Two's complement of b shifted right with its sign: the smaller
      // operand is subtracted rounded toward minus infinity.
      const nb = d > 63 ? M64 : (((M64 + 1n - b.frac) & M64) >> BigInt(d)) |
        ((M64 << BigInt(64 - d)) & M64);
      a.frac = (a.frac + nb) & M64;
    } else {
      a.frac = a.frac - b.frac;
    }
    a.frac &= ~mask & M64;
    normWide(a);
  } else {
    const sb = d > 63 ? 0n : b.frac >> BigInt(d);
    let s = a.frac + sb;
    if (s > M64) {
      s = (1n << 63n) | ((s & M64) >> 1n);
      a.exp += 1;
    }
    a.frac = s & ~mask & M64;
  }
}

/** Separates the integer part (EMOD): returns it, leaves the fraction. */
function modWide(a: Wide, bias: number): { int: number; overflow: boolean } {
  let int = 0;
  let overflow = false;
  if (a.exp <= bias) return { int, overflow };
  if (a.exp <= bias + 64) {
    const n = a.exp - bias;
    const ip = a.frac >> BigInt(64 - n);
    int = Number(ip & 0xffffffffn);
    overflow = a.exp > bias + 32 ||
      (a.exp === bias + 32 && int > (a.sign ? 0x80000000 : 0x7fffffff));
    if (a.sign) int = -int;
    a.frac = n === 64 ? 0n : (a.frac << BigInt(n)) & M64;
    a.exp = bias;
  } else {
    if (a.exp < bias + 96) {
      int = Number((a.frac << BigInt(a.exp - bias - 64)) & 0xffffffffn);
    }
    if (a.sign) int = -int;
    a.frac = 0n;
    a.sign = 0;
    a.exp = 0;
    overflow = true;
  }
  normWide(a);
  return { int: int | 0, overflow };
}

/** Result of EMODx. */
export interface EmodResult {
  /** The integer part (low 32 bits; sign as the product's). */
  int: number;
  /** The integer part does not fit in a longword (sets V). */
  overflow: boolean;
  /** The fraction part, rounded, in the operand's format. */
  fraction: Quad;
}

/**
 * EMODx: multiplies `mulr` extended by `ext` (8 more fraction bits for F
 * and D, 11 for G: the word's bits 15:5) by `muld`, and separates the
 * product into its integer and its fraction parts.
 */
export function floatEmod(
  format: FloatFormat,
  mulr: Quad,
  ext: number,
  muld: Quad,
  fu: boolean,
): EmodResult {
  const fmt = FMT[format];
  const a = unpackWide(fmt, mulr);
  const b = unpackWide(fmt, muld);
  if (format === "f") {
    a.frac |= BigInt(ext & 0xff) << 32n;
    mulWide(a, b, false, fmt.bias, 0xffffffffn);
  } else if (format === "d") {
    a.frac |= BigInt(ext & 0xff);
    mulWide(a, b, true, fmt.bias, 0n);
  } else {
    a.frac |= BigInt((ext & 0xffff) >>> 5);
    mulWide(a, b, true, fmt.bias, 0n);
  }
  const { int, overflow } = modWide(a, fmt.bias);
  return { int, overflow, fraction: packWide(fmt, a, fu) };
}

/**
 * POLYx: evaluates the polynomial with `degree` + 1 coefficients (highest
 * power first, read by `coefficient(i)`) at `arg` by Horner's rule, each
 * step truncated as the architecture says. A degree above 31 is a reserved
 * operand.
 */
export function floatPoly(
  format: FloatFormat,
  arg: Quad,
  degree: number,
  coefficient: (i: number) => Quad,
  fu: boolean,
): Quad {
  if (degree > 31) throw ROF;
  const fmt = FMT[format];
  const x = unpackWide(fmt, arg);
  const mask = format === "f" ? (1n << 33n) - 1n : 1n;
  let res = packWide(fmt, unpackWide(fmt, coefficient(0)), fu);
  for (let i = 1; i <= degree; i++) {
    const r = unpackWide(fmt, res);
    mulWide(r, x, format !== "f", fmt.bias, mask);
    const c = unpackWide(fmt, coefficient(i));
    addWide(r, c, mask);
    res = packWide(fmt, r, fu);
  }
  return res;
}
