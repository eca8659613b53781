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
  const u = unpack(FMT[format], v);
  if (u.exp === 0) return 0;
  return u.sign ? -1 : 1;
}

/** CMPx: the order of `a` relative to `b`. */
export function floatCompare(format: FloatFormat, a: Quad, b: Quad): Order {
  const fmt = FMT[format];
  const ua = unpack(fmt, a);
  const ub = unpack(fmt, b);
  return compareUnpacked(ua, ub);
}

function compareUnpacked(a: Unpacked, b: Unpacked): Order {
  const za = a.exp === 0;
  const zb = b.exp === 0;
  if (za && zb) return 0;
  const sa = za ? 0 : (a.sign ? -1 : 1);
  const sb = zb ? 0 : (b.sign ? -1 : 1);
  if (sa !== sb) return sa < sb ? -1 : 1;
  // Same sign, both non-zero: compare magnitudes.
  let m: number;
  if (a.exp !== b.exp) m = a.exp < b.exp ? -1 : 1;
  else if (a.frac === b.frac) m = 0;
  else m = a.frac < b.frac ? -1 : 1;
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
    q = Math.floor(mag / 2 ** (l - 25));
    eq = e2 + l - 25;
  } else {
    q = mag * 2 ** (25 - l);
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
  const s = sa === ((b >>> 15) & 1) ? fa * 2 ** d + fb : fa * 2 ** d - fb;
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
  const n = fd * 2 ** 26;
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
